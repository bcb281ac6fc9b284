{{/* The CSI driver name: fixed, because PersistentVolumes record it and outlive any release. */}}
{{- define "lustre-csi.driverName" -}}
lustre.csi.lustrecsi.dev
{{- end }}

{{/* Base name of the release's objects. */}}
{{- define "lustre-csi.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end }}

{{- define "lustre-csi.controllerName" -}}
{{ include "lustre-csi.fullname" . }}-controller
{{- end }}

{{- define "lustre-csi.nodeName" -}}
{{ include "lustre-csi.fullname" . }}-node
{{- end }}

{{/* Labels every object carries. */}}
{{- define "lustre-csi.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end }}

{{/* Selector labels of one component (controller or node). Call with (dict "root" $ "component" "x"). */}}
{{- define "lustre-csi.selectorLabels" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/*
Marks which program an RBAC object is for: one of our plugins (controller-plugin, node-plugin) or
a Kubernetes sidecar. The chart's tests compare our plugins' rules with deploy/api-calls.txt.
*/}}
{{- define "lustre-csi.rbacFor" -}}
lustre.csi.lustrecsi.dev/rbac-for: {{ . }}
{{- end }}

{{- define "lustre-csi.image" -}}
{{ .repository }}:{{ .tag }}
{{- end }}

{{- define "lustre-csi.pluginDir" -}}
{{ .Values.kubeletDir }}/plugins/{{ include "lustre-csi.driverName" . }}
{{- end }}

{{/* A container that needs nothing from the kernel beyond an ordinary process. */}}
{{- define "lustre-csi.restrictedContainer" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: ["ALL"]
{{- end }}
