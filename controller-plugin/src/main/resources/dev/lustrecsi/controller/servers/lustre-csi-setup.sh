#!/bin/bash
# Brings this Lustre server VM's targets up: LNet, each target disk formatted once and mounted,
# quota enforcement on the MGS, the filesystem mounted as a client on the MDS for the agent.
# Written by the lustre-csi controller through cloud-init. It runs at boot and again every
# minute (lustre-csi-setup.timer), so an OST disk hot-plugged into a running OSS is picked up.
# Every step is idempotent, and a disk that already holds a Lustre target is never formatted:
# its ZFS pool is imported instead.
set -euo pipefail

: "${LUSTRE_CSI_ENV:=/etc/lustre-csi/server.env}"
# shellcheck source=/dev/null
source "$LUSTRE_CSI_ENV"
: "${FSNAME:?}" "${ROLE:?}" "${MGS_NIDS:?}" "${LNET_NETS:?}" "${TARGETS:=}"
: "${DISK_DIR:=/dev/disk/by-id}" "${MOUNT_ROOT:=/lustre/targets}" "${CLIENT_MOUNT:=/lustre/client}"
: "${STATE_DIR:=/var/lib/lustre-csi}" "${POOL_PREFIX:=lcsi-$FSNAME}"
: "${HOSTID_FILE:=/etc/hostid}"

log() { echo "lustre-csi-setup: $*" >&2; }

setup_lnet() {
  modprobe lnet
  lnetctl lnet configure
  local net name ifname
  for net in $LNET_NETS; do
    name=${net%%:*}
    ifname=${net#*:}
    if lnetctl net show --net "$name" 2>/dev/null | grep -q 'nid:'; then
      continue
    fi
    log "adding LNet network $name on $ifname"
    lnetctl net add --net "$name" --if "$ifname"
  done
}

# The block device KubeVirt attached with this serial: virtio-SERIAL or scsi-..._SERIAL.
device_for() {
  local serial=$1 candidate
  for candidate in "$DISK_DIR"/*-"$serial" "$DISK_DIR"/*_"$serial"; do
    if [ -e "$candidate" ]; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

# A target's pool exists when it is imported, or can be imported from its disk.
holds_target() {
  local pool=$1
  zpool list -H -o name "$pool" >/dev/null 2>&1 || zpool import "$pool" >/dev/null 2>&1
}

format_target() {
  local serial=$1 device=$2 pool=$3 index
  case "$serial" in
    mgt)
      mkfs.lustre --mgs --backfstype=zfs "$pool/$serial" "$device" ;;
    mdt*)
      index=$((16#${serial#mdt}))
      mkfs.lustre --mdt --backfstype=zfs --fsname="$FSNAME" --index="$index" --mgsnode="$MGS_NIDS" "$pool/$serial" "$device" ;;
    ost*)
      index=$((16#${serial#ost}))
      mkfs.lustre --ost --backfstype=zfs --fsname="$FSNAME" --index="$index" --mgsnode="$MGS_NIDS" "$pool/$serial" "$device" ;;
    *)
      log "unknown target serial $serial"; return 1 ;;
  esac
}

bring_up_target() {
  local serial=$1 device pool
  if ! device=$(device_for "$serial"); then
    log "disk $serial is not attached yet"
    return 0
  fi
  pool="$POOL_PREFIX-$serial"
  if holds_target "$pool"; then
    log "$serial already holds a target: not formatting"
  else
    log "formatting $serial on $device"
    format_target "$serial" "$device" "$pool"
  fi
  mkdir -p "$MOUNT_ROOT/$serial"
  if ! mountpoint -q "$MOUNT_ROOT/$serial"; then
    log "mounting $serial"
    mount -t lustre_tgt "$pool/$serial" "$MOUNT_ROOT/$serial"
  fi
}

# Project quotas enforced on every target, root included (Lustre exempts root otherwise), set
# persistently on the MGS once: set_param -P appends to the configuration log on every call.
enforce_quotas() {
  mkdir -p "$STATE_DIR"
  [ -e "$STATE_DIR/quota-params" ] && return 0
  lctl set_param -P "osd-*.$FSNAME-OST*.quota_slave.enabled=p"
  lctl set_param -P "osd-*.$FSNAME-MDT*.quota_slave.enabled=p"
  lctl set_param -P "osd-*.$FSNAME-*.quota_slave*.root_prj_enable=1"
  touch "$STATE_DIR/quota-params"
}

# The MDS mounts the filesystem as a client: the agent makes volume directories through it.
mount_client() {
  mkdir -p "$CLIENT_MOUNT"
  if ! mountpoint -q "$CLIENT_MOUNT"; then
    log "mounting $FSNAME as a client"
    mount -t lustre "$MGS_NIDS:/$FSNAME" "$CLIENT_MOUNT"
  fi
}

# ZFS refuses to import pools without a host id of its own.
[ -s "$HOSTID_FILE" ] || zgenhostid
setup_lnet
for serial in $TARGETS; do
  bring_up_target "$serial"
done
case "$ROLE" in
  mgs) enforce_quotas ;;
  mds) mount_client ;;
esac
log "done"
