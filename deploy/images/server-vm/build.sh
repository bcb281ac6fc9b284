#!/usr/bin/env bash
# Builds the Lustre server VM disk (disk.qcow2) that server-vm.Containerfile wraps as a KubeVirt
# containerDisk: an EL9 cloud image with the Lustre servers on ZFS, a Java 25 runtime, and this
# repository's launcher and jar. The image carries no Lustre configuration and no unit of its own:
# each VM's cloud-init (the controller's ServerSetup) writes the setup script, its units and the
# server agent's unit, and the agent runs as `lustre-csi agent` from the launcher installed here.
# deploy-tests (ServerImageRecipeTest) checks the variables below against ServerSetup.
#
#   ./mvnw -B -DskipTests package
#   deploy/images/server-vm/build.sh \
#     --base Rocky-9-GenericCloud-Base.x86_64.qcow2 --base-sha256 <sha256 of that file> \
#     --server-rpms DIR
#
# --server-rpms: a directory holding the Lustre 2.16.1 server packages for EL9 with ZFS from your
#   mirror, built for the base image's kernel (lustre, kmod-lustre, kmod-lustre-osd-zfs,
#   lustre-osd-zfs-mount), and the ZFS packages they were built against (zfs, kmod-zfs and the
#   libraries zfs needs). Clients and servers should run the same Lustre release.
# --jar: the shaded jar; default dist/target/lustre-csi.jar, which `./mvnw package` builds.
# --java-package: the Java 25 runtime from the base image's own repositories
#   (default java-25-openjdk-headless).
#
# Every input is a file you name, and the base image is checked against its SHA-256: the same
# inputs give the same image. Needs virt-customize (libguestfs-tools), qemu-img, rpm and unzip.
# No network access happens here except dnf inside the image for the guest agent and the JRE,
# from the base image's configured repositories.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../../.." && pwd)
OUTPUT=disk.qcow2

# What the controller's cloud-init expects of the image (ServerSetup's constants).
LUSTRE_RELEASE=2.16.1
OSD=zfs
AGENT_HOME=/opt/lustre-csi
LAUNCHER=$AGENT_HOME/bin/lustre-csi
JAR=$AGENT_HOME/lustre-csi.jar
SETUP_SCRIPT_IN_JAR=dev/lustrecsi/controller/servers/lustre-csi-setup.sh
IMAGE_UNITS="qemu-guest-agent.service"
SERVER_PACKAGES="lustre kmod-lustre kmod-lustre-osd-zfs lustre-osd-zfs-mount zfs kmod-zfs"
GUEST_PACKAGES="qemu-guest-agent"

base="" base_sha="" rpms="" jar="$repo/dist/target/lustre-csi.jar" java_package="java-25-openjdk-headless"
while [ $# -gt 0 ]; do
  case "$1" in
    --base) base=$2; shift 2 ;;
    --base-sha256) base_sha=$2; shift 2 ;;
    --server-rpms) rpms=$2; shift 2 ;;
    --jar) jar=$2; shift 2 ;;
    --java-package) java_package=$2; shift 2 ;;
    *) echo "build.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
for required in base base_sha rpms; do
  if [ -z "${!required}" ]; then
    echo "build.sh: --${required//_/-} is required (see the header of this script)" >&2
    exit 2
  fi
done
[ -f "$jar" ] || { echo "build.sh: $jar not found: build it with ./mvnw -B -DskipTests package" >&2; exit 1; }
for package in $SERVER_PACKAGES; do
  # awk keeps the first match but reads the whole listing: under pipefail a `| head -1` that stops
  # reading early fails the assignment (SIGPIPE), and so would one package rpm cannot read.
  found=$(rpm -qp --qf '%{NAME} %{VERSION}\n' "$rpms"/*.rpm 2>/dev/null | awk -v p="$package" '$1 == p && !seen++') || true
  [ -n "$found" ] || { echo "build.sh: $rpms has no $package package" >&2; exit 1; }
  case "$package" in
    *lustre*)
      [ "${found#* }" = "$LUSTRE_RELEASE" ] \
        || { echo "build.sh: $package is ${found#* }; the setup script is written for Lustre $LUSTRE_RELEASE" >&2; exit 1; } ;;
  esac
done
echo "$base_sha  $base" | sha256sum --check --quiet \
  || { echo "build.sh: $base does not match --base-sha256" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$base" "$work/disk.qcow2"
qemu-img resize "$work/disk.qcow2" 10G
# The setup script the controller will send, to check the image has what it runs.
unzip -p "$jar" "$SETUP_SCRIPT_IN_JAR" > "$work/lustre-csi-setup"
[ -s "$work/lustre-csi-setup" ] || { echo "build.sh: $jar has no $SETUP_SCRIPT_IN_JAR" >&2; exit 1; }

# The image's kernel (a cloud image has one), expanded by the shell inside the image: the kmods
# must load there, not on the machine that builds.
kernel='$(ls /lib/modules | head -1)'
# ZFS ties pools to a host id, and VMs made from one image must not share one: the setup takes a
# random one (zgenhostid) at every boot, so the image ships none.
virt-customize -a "$work/disk.qcow2" \
  --mkdir /tmp/lustre-rpms \
  --copy-in "$rpms/.:/tmp/lustre-rpms" \
  --run-command 'dnf -y install /tmp/lustre-rpms/*.rpm && rm -rf /tmp/lustre-rpms' \
  --install "$GUEST_PACKAGES,$java_package" \
  --mkdir "$(dirname "$LAUNCHER")" \
  --copy-in "$repo/bin/lustre-csi:$(dirname "$LAUNCHER")" \
  --copy-in "$repo/bin/jdk.sh:$(dirname "$LAUNCHER")" \
  --copy-in "$jar:$AGENT_HOME" \
  --run-command "[ $AGENT_HOME/$(basename "$jar") = $JAR ] || mv $AGENT_HOME/$(basename "$jar") $JAR" \
  --run-command "LUSTRE_CSI_JAR=$JAR $LAUNCHER --version" \
  --copy-in "$work/lustre-csi-setup:/tmp" \
  --run-command "bash /tmp/lustre-csi-setup --check-image $kernel && rm /tmp/lustre-csi-setup" \
  --run-command "for unit in $IMAGE_UNITS; do [ -e /usr/lib/systemd/system/\$unit ] || { echo \"no \$unit\" >&2; exit 1; }; done" \
  --run-command 'rm -f /etc/hostid' \
  --run-command 'dnf clean all' \
  --selinux-relabel

qemu-img convert -c -O qcow2 "$work/disk.qcow2" "$here/$OUTPUT"
echo "built $here/$OUTPUT; now: podman build -f $here/server-vm.Containerfile -t REGISTRY/lustre-server-vm:$LUSTRE_RELEASE-N $here"
