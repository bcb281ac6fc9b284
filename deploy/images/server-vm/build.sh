#!/usr/bin/env bash
# Builds the Lustre server VM disk (disk.qcow2) that server-vm.Containerfile wraps as a KubeVirt
# containerDisk. Every input is a file you name and, for the base image, its checksum: the same
# inputs give the same set of packages and files. Needs virt-customize (libguestfs-tools) and
# qemu-img. No network access happens here except dnf inside the image for qemu-guest-agent and
# the JRE, from the base image's own configured repositories.
#
#   deploy/images/server-vm/build.sh \
#     --base Rocky-9-GenericCloud-Base.latest.x86_64.qcow2 --base-sha256 <sha256 of that file> \
#     --lustre-rpms DIR --agent-jar server-agent/target/lustre-server-agent.jar
#
# --lustre-rpms: a directory with the Lustre 2.17 server RPMs for EL9 built for the base image's
# kernel (lustre, kmod-lustre, kmod-lustre-osd-ldiskfs, lustre-osd-ldiskfs-mount) and the
# Lustre-patched e2fsprogs (e2fsprogs, e2fsprogs-libs, libcom_err, libss; 1.47.3-wc1 or later),
# all from the Lustre release you run. Clients and servers should run the same release.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUTPUT=disk.qcow2

base="" base_sha="" rpms="" jar="" java_package="java-25-openjdk-headless"
while [ $# -gt 0 ]; do
  case "$1" in
    --base) base=$2; shift 2 ;;
    --base-sha256) base_sha=$2; shift 2 ;;
    --lustre-rpms) rpms=$2; shift 2 ;;
    --agent-jar) jar=$2; shift 2 ;;
    --java-package) java_package=$2; shift 2 ;;
    *) echo "build.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
for required in base base_sha rpms jar; do
  if [ -z "${!required}" ]; then
    echo "build.sh: --${required//_/-} is required (see the header of this script)" >&2
    exit 2
  fi
done
[ -f "$jar" ] || { echo "build.sh: agent jar $jar not found: build it with ./mvnw -DskipTests package" >&2; exit 1; }
ls "$rpms"/kmod-lustre-osd-ldiskfs-*.rpm >/dev/null 2>&1 \
  || { echo "build.sh: $rpms has no kmod-lustre-osd-ldiskfs RPM" >&2; exit 1; }
echo "$base_sha  $base" | sha256sum --check --quiet \
  || { echo "build.sh: $base does not match --base-sha256" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$base" "$work/disk.qcow2"
qemu-img resize "$work/disk.qcow2" 10G

# The agent starts at boot; cloud-init (written by the controller per VM) supplies its
# arguments in /etc/lustre-server-agent/env. SELinux labels are restored last.
virt-customize -a "$work/disk.qcow2" \
  --mkdir /tmp/lustre-rpms \
  --copy-in "$rpms/.:/tmp/lustre-rpms" \
  --run-command 'dnf -y install /tmp/lustre-rpms/*.rpm && rm -rf /tmp/lustre-rpms' \
  --install "qemu-guest-agent,$java_package" \
  --mkdir /opt/lustre-server-agent \
  --copy-in "$jar:/opt/lustre-server-agent" \
  --run-command "mv /opt/lustre-server-agent/$(basename "$jar") /opt/lustre-server-agent/lustre-server-agent.jar" \
  --mkdir /etc/lustre-server-agent \
  --copy-in "$here/lustre-server-agent.service:/etc/systemd/system" \
  --run-command 'systemctl enable qemu-guest-agent lustre-server-agent' \
  --run-command 'modprobe --dry-run --set-version "$(ls /lib/modules | head -1)" osd_ldiskfs' \
  --run-command 'dnf clean all' \
  --selinux-relabel

qemu-img convert -c -O qcow2 "$work/disk.qcow2" "$here/$OUTPUT"
echo "built $here/$OUTPUT; now: podman build -f $here/server-vm.Containerfile -t REGISTRY/lustre-server-vm:VERSION $here"
