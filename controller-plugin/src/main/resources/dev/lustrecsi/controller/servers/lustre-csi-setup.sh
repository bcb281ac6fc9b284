#!/bin/bash
# Brings this Lustre server VM's targets up: LNet, each target disk formatted once and mounted,
# quota enforcement on the MGS, the filesystem mounted as a client on the MDS for the agent.
# Written by the lustre-csi controller through cloud-init. It runs at boot and again every
# minute (lustre-csi-setup.timer), so an OST disk hot-plugged into a running OSS is picked up.
# Every step is idempotent, and a disk that already holds a Lustre target is never formatted:
# its ZFS pool is imported instead, and a disk with a pool that cannot be imported is left alone and
# reported. The one pool written over is the target's own when a format stopped half-way (it never
# held data). Each boot takes a ZFS host id of its own and every target pool has multihost=on, so a
# pool still in use by another instance of this server (its node cut off, not dead) is not imported
# here: ZFS's activity check sees the other instance's writes. That target stays down, and the
# timer's next run tries again until the other instance is gone.
#
#   lustre-csi-setup                    bring the targets up (the timer's run)
#   lustre-csi-setup client-mount       one bounded attempt at the MDS's client mount (its own unit)
#   lustre-csi-setup --check-image [KERNEL]
#                                       check that an image has what this script and the agent run
#                                       (the image recipe runs it at build time)
set -euo pipefail

log() { echo "lustre-csi-setup: $*" >&2; }

REQUIRED_COMMANDS="modprobe lnetctl lctl lfs mkfs.lustre mount.lustre zpool zfs zgenhostid mount mountpoint timeout systemctl"
REQUIRED_MODULES="lnet lustre osd_zfs zfs"

check_image() {
  local kernel=${1:-$(uname -r)} missing="" name
  for name in $REQUIRED_COMMANDS; do
    command -v "$name" >/dev/null 2>&1 || missing+=" command:$name"
  done
  for name in $REQUIRED_MODULES; do
    modprobe --dry-run --set-version "$kernel" "$name" >/dev/null 2>&1 || missing+=" module:$name"
  done
  if [ -n "$missing" ]; then
    log "this image lacks what the setup needs (kernel $kernel):$missing"
    return 1
  fi
  log "this image has every command and module the setup needs (kernel $kernel)"
}

if [ "${1:-}" = "--check-image" ]; then
  check_image "${2:-}"
  exit
fi

: "${LUSTRE_CSI_ENV:=/etc/lustre-csi/server.env}"
# shellcheck source=/dev/null
source "$LUSTRE_CSI_ENV"
: "${FSNAME:?}" "${ROLE:?}" "${MGS_NIDS:?}" "${LNET_NETS:?}"
: "${DISK_DIR:=/dev/disk/by-id}" "${MOUNT_ROOT:=/lustre/targets}" "${CLIENT_MOUNT:=/lustre/client}"
: "${STATE_DIR:=/var/lib/lustre-csi}" "${POOL_PREFIX:=lcsi-$FSNAME}"
: "${HOSTID_FILE:=/etc/hostid}" "${CLIENT_MOUNT_STATUS:=$STATE_DIR/client-mount.status}"
: "${RELEASED_PROPERTY:=lustre-csi:released}" "${QUOTA_PARAMS_PROPERTY:=lustre-csi:quota-params}"
: "${MULTIHOST_MARK:=lustre-csi:multihost}" "${POOL_STATUS_DIR:=$STATE_DIR/pools}" "${RUN_DIR:=/run/lustre-csi}"

setup_lnet() {
  modprobe lnet
  lnetctl lnet configure
  local net name ifname
  for net in $LNET_NETS; do
    name=${net%%:*}
    ifname=${net#*:}
    if [[ $(lnetctl net show --net "$name" 2>/dev/null) == *"nid:"* ]]; then
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

# This server's targets: the serials (mgt, mdtNNNN, ostNNNN) of the disks attached to it now. They
# are read afresh on every run, not from the settings cloud-init wrote at boot: an OST disk that
# KubeVirt hot-plugs into the running VM is formatted and mounted by the timer's next run, and a
# disk unplugged after a drain is simply no longer there.
attached_targets() {
  local path name serial
  for path in "$DISK_DIR"/*; do
    name=${path##*/}
    serial=${name##*[-_]}
    case "$serial" in
      mgt | mdt[0-9a-f][0-9a-f][0-9a-f][0-9a-f] | ost[0-9a-f][0-9a-f][0-9a-f][0-9a-f]) echo "$serial" ;;
    esac
  done | sort -u
}

# Whether a drain let go of the target (the agent tags its dataset before it unmounts it and exports
# the pool): its disk stays attached until the controller detaches it, and must not come back.
released() {
  [ "$(zfs get -H -o value "$RELEASED_PROPERTY" "$1" 2>/dev/null)" = yes ]
}

# Whether the target's dataset carries the Lustre properties mkfs.lustre writes last (after its
# zpool create and zfs create): without them Lustre never mounted it, so it holds nothing.
formatted() {
  local svname
  svname=$(zfs get -H -o value lustre:svname "$1" 2>/dev/null) || return 1
  [ -n "$svname" ] && [ "$svname" != - ]
}

# Whether the pool holds nothing but what an unfinished mkfs.lustre of this target leaves behind:
# the pool's root dataset and at most the target's own dataset. The listing is read whole first.
holds_only_unfinished_format() {
  local pool=$1 dataset=$2 listing name
  listing=$(zfs list -H -r -o name "$pool" 2>/dev/null) || return 1
  for name in $listing; do
    [ "$name" = "$pool" ] || [ "$name" = "$dataset" ] || return 1
  done
}

# This boot's own ZFS host id, made once per boot (the mark lives in /run, which every boot starts
# empty). ZFS skips its multihost activity check when the pool was last imported under the
# importer's own host id, so a host id shared by instances of the server (one derived from its
# address, or one an image shipped) would let a replacement VM import the pools of an old instance
# still running on a node that is cut off. A guest that reboots in place takes a new one too: its
# pools then cost it one activity check, and need no exception.
ensure_hostid() {
  [ -e "$RUN_DIR/hostid-made" ] && [ "$(stat -c %s "$HOSTID_FILE" 2>/dev/null)" = 4 ] && return 0
  log "taking a new ZFS host id for this boot"
  zgenhostid -f -o "$HOSTID_FILE"
  mkdir -p "$RUN_DIR"
  touch "$RUN_DIR/hostid-made"
}

# Why a target's pool is not imported, for the admin and the agent (which reports it with its health): one line per target, written
# whole, removed once the pool is imported.
pool_status() {
  local serial=$1; shift
  mkdir -p "$POOL_STATUS_DIR"
  echo "$*" > "$POOL_STATUS_DIR/$serial.new"
  mv "$POOL_STATUS_DIR/$serial.new" "$POOL_STATUS_DIR/$serial"
  log "$serial $*"
}

# The host id, in hex as zpool prints it, that last imported a pool not exported: from the refusal
# of a plain import ("Last accessed by HOST (hostid=ID) at ..."). Empty when the import said nothing
# of the kind.
last_host_id() {
  local output=$1
  [[ $output =~ hostid=(0x)?([0-9a-fA-F]+) ]] || return 0
  printf '%x' "$((16#${BASH_REMATCH[2]}))"
}

# Brings the target's pool in, and says on stdout how it stands: imported, blank (the disk holds no
# pool: format it), or refused (the disk holds a pool this instance must not import now; why is in
# the log and in the pool status file). One `zpool import -d` listing decides, read whole (under
# pipefail, `zpool import -d DEV | grep -q` fails whenever grep stops at the first match while zpool
# still writes, and a disk holding a pool would look blank and be formatted):
# - exported cleanly, or last imported under this boot's own host id: a plain import;
# - "currently imported by another system": multihost is on and ZFS saw that instance write during
#   its activity check. Not imported: the target stays down until the other instance is gone;
# - "last accessed by another system" (not exported, e.g. the instance died): -f only when the pool
#   carries this script's mark that multihost is on, so that the import's activity check refuses
#   it should the other instance still write. A pool without the mark was made before this
#   scheme, under the host id derived from the server's address (LEGACY_HOSTID): that one is
#   imported with -f as the old scheme imported it without, once, and marked; any other is left.
prepare_pool() {
  local serial=$1 pool=$2 device=$3 listing name output legacy
  if zpool list -H -o name "$pool" >/dev/null 2>&1; then
    echo imported; return 0
  fi
  listing=$(zpool import -d "$device" 2>/dev/null) || true
  if [[ $listing != *"pool:"* ]]; then
    echo blank; return 0
  fi
  [[ $listing =~ pool:\ ([^[:space:]]+) ]] && name=${BASH_REMATCH[1]}
  if [ "$name" != "$pool" ]; then
    pool_status "$serial" "holds ZFS pool $name, which this server cannot import; not formatting it (zpool import -d $device says why)"
    echo refused; return 0
  fi
  if [[ $listing == *"currently imported by another system"* ]]; then
    pool_status "$serial" "holds pool $pool, in use by another instance of this server (ZFS multihost activity check):" \
      "not importing it; the target stays down and is tried again every minute until that instance is gone"
    echo refused; return 0
  fi
  if [[ $listing != *"last accessed by another system"* ]]; then
    if output=$(zpool import "$pool" 2>&1); then
      rm -f "$POOL_STATUS_DIR/$serial"; echo imported; return 0
    fi
    pool_status "$serial" "holds pool $pool, which zpool import refused: $output"
    echo refused; return 0
  fi
  if [[ $listing != *"comment: $MULTIHOST_MARK"* ]]; then
    output=$(zpool import "$pool" 2>&1) && { rm -f "$POOL_STATUS_DIR/$serial"; echo imported; return 0; }
    legacy=$(printf '%x' "$((16#${LEGACY_HOSTID:-0}))")
    if [ "$(last_host_id "$output")" != "$legacy" ]; then
      pool_status "$serial" "holds ZFS pool $pool, which this server cannot import; not formatting it: it was last" \
        "imported by another host and carries no mark that multihost is on, so zpool import -f would go unguarded" \
        "(zpool import -d $device says why)"
      echo refused; return 0
    fi
    log "$serial: pool $pool was last imported under this server's host id from before multihost: importing it with -f once"
  fi
  if output=$(zpool import -f "$pool" 2>&1); then
    rm -f "$POOL_STATUS_DIR/$serial"; echo imported; return 0
  fi
  if [[ $output == *"is imported on"* ]]; then
    pool_status "$serial" "holds pool $pool, in use by another instance of this server (ZFS multihost activity check:" \
      "$output): not importing it; the target stays down and is tried again every minute until that instance is gone"
  else
    pool_status "$serial" "holds pool $pool, which zpool import -f refused: $output"
  fi
  echo refused
}

# multihost=on, and the mark that says so where a host that has not imported the pool can read it
# (the pool's comment is kept in its labels, and `zpool import -d` lists it). Set after every
# import and format, so pools made before this scheme, or by a format that stopped before it got
# here, converge. The mark is written only once multihost is on.
ensure_multihost() {
  local pool=$1
  if [ "$(zpool get -H -o value multihost "$pool")" != on ]; then
    log "turning multihost on for $pool"
    zpool set multihost=on "$pool" || return 1
  fi
  if [ "$(zpool get -H -o value comment "$pool")" != "$MULTIHOST_MARK" ]; then
    zpool set comment="$MULTIHOST_MARK" "$pool" || return 1
  fi
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

# Formats or mounts one target whose pool prepare_pool brought in as OUTCOME.
bring_up_target() {
  local serial=$1 outcome=$2 device pool
  if ! device=$(device_for "$serial"); then
    log "disk $serial is not attached yet"
    return 0
  fi
  pool="$POOL_PREFIX-$serial"
  case "$outcome" in
    imported)
      if formatted "$pool/$serial"; then
        log "$serial already holds a target: not formatting"
      else
        # The VM stopped inside mkfs.lustre, between its zpool create and the properties it writes
        # last: the pool is this target's own (its name, on the disk of its serial) and was never
        # mounted. Left as it is, it would pass for a formatted target on every run and never
        # mount. Anything more in it than mkfs.lustre makes, and it is left alone.
        if ! holds_only_unfinished_format "$pool" "$pool/$serial"; then
          log "$serial holds pool $pool with no Lustre target in $pool/$serial but other datasets;" \
            "not formatting it (zfs list -r $pool shows them)"
          return 1
        fi
        log "$serial holds pool $pool left by an unfinished format (no Lustre properties on $pool/$serial): formatting it again"
        zpool destroy -f "$pool"
        format_target "$serial" "$device" "$pool"
      fi ;;
    blank)
      log "formatting $serial on $device"
      format_target "$serial" "$device" "$pool" ;;
    *)
      [ -n "$outcome" ] || log "$serial: bringing its pool in failed (see above)"
      return 1 ;;
  esac
  # A target without the guard still serves; the next run tries again, and until then a restart
  # leaves its pool to the admin (unmarked) rather than importing it unguarded.
  ensure_multihost "$pool" || log "$serial: could not turn multihost on for $pool or mark it; tried again next run"
  if released "$pool/$serial"; then
    log "$serial was released by a drain: not mounting it, its pool stays exported until its disk is detached"
    zpool export "$pool"
    return 0
  fi
  mkdir -p "$MOUNT_ROOT/$serial"
  if ! mountpoint -q "$MOUNT_ROOT/$serial"; then
    log "mounting $serial"
    mount -t lustre_tgt "$pool/$serial" "$MOUNT_ROOT/$serial"
  fi
}

# Project quotas enforced on every target, root included (Lustre exempts root otherwise), set
# persistently on the MGS once: set_param -P appends to the configuration log on every call. That
# they are set is marked on the MGT's own dataset, which holds the configuration log: the root
# disk forgets everything at each boot, and a new MGT gets them again.
enforce_quotas() {
  local mgt="$POOL_PREFIX-mgt/mgt"
  [ "$(zfs get -H -o value "$QUOTA_PARAMS_PROPERTY" "$mgt" 2>/dev/null)" = yes ] && return 0
  lctl set_param -P "osd-*.$FSNAME-OST*.quota_slave.enabled=p"
  lctl set_param -P "osd-*.$FSNAME-MDT*.quota_slave.enabled=p"
  lctl set_param -P "osd-*.$FSNAME-*.quota_slave*.root_prj_enable=1"
  zfs set "$QUOTA_PARAMS_PROPERTY=yes" "$mgt"
}

# The MDS mounts the filesystem as a client: the agent makes volume directories through it. The
# MDS refuses client connects (EAGAIN) while the filesystem has no OST up, and mount waits as long
# as that lasts (827 s in a trial, until the OSS booted). So the mount runs in a unit of its own:
# this run, the other targets and the agent never wait for it, and a run that finds the
# filesystem neither mounted nor being mounted starts it again (systemd runs one attempt at a time).
start_client_mount() {
  : "${CLIENT_MOUNT_UNIT:?}"
  if mountpoint -q "$CLIENT_MOUNT"; then
    return 0
  fi
  log "starting the client mount of $FSNAME ($CLIENT_MOUNT_UNIT)"
  systemctl start --no-block "$CLIENT_MOUNT_UNIT"
}

# The status file says why the agent has no client mount yet; written whole, then renamed.
client_mount_status() {
  mkdir -p "$(dirname "$CLIENT_MOUNT_STATUS")"
  echo "$*" > "$CLIENT_MOUNT_STATUS.new"
  mv "$CLIENT_MOUNT_STATUS.new" "$CLIENT_MOUNT_STATUS"
}

# One attempt, given up after CLIENT_MOUNT_TIMEOUT seconds (timeout signals mount and mount.lustre).
mount_client() {
  : "${CLIENT_MOUNT_TIMEOUT:?}"
  local source="$MGS_NIDS:/$FSNAME" output rc=0
  mkdir -p "$CLIENT_MOUNT"
  if mountpoint -q "$CLIENT_MOUNT"; then
    client_mount_status "mounted: $source at $CLIENT_MOUNT"
    return 0
  fi
  client_mount_status "mounting since $(date -Is): mount -t lustre $source $CLIENT_MOUNT has not returned yet" \
    "(the MDS refuses clients until the filesystem has an OST up)"
  log "mounting $FSNAME as a client"
  # user_xattr: a restore copies the source's user.* extended attributes through this mount, and a
  # Lustre client mounts with nouser_xattr unless told (the reference's /proc/mounts samples).
  output=$(timeout --kill-after=10 "$CLIENT_MOUNT_TIMEOUT" mount -t lustre -o user_xattr "$source" "$CLIENT_MOUNT" 2>&1) || rc=$?
  case $rc in
    0)
      client_mount_status "mounted: $source at $CLIENT_MOUNT"
      log "mounted $FSNAME at $CLIENT_MOUNT" ;;
    124 | 137)
      client_mount_status "waiting for OSTs: mount -t lustre $source gave up after ${CLIENT_MOUNT_TIMEOUT} s at $(date -Is);" \
        "the MDS refuses clients until the filesystem has an OST up (or the MGS is unreachable); tried again within a minute"
      log "client mount of $FSNAME got no answer within ${CLIENT_MOUNT_TIMEOUT} s; tried again within a minute" ;;
    *)
      client_mount_status "failed at $(date -Is): mount -t lustre $source exited $rc: $output"
      log "client mount of $FSNAME failed ($rc): $output" ;;
  esac
  return "$rc"
}

setup() {
  local failed=""
  ensure_hostid
  setup_lnet
  # The pools are brought in side by side: an import that must run ZFS's activity check waits for
  # it (about 20 s with the default tunables, for the listing and again for the import), and an
  # OSS with many OSTs would otherwise wait that long for each in turn.
  local outcomes serials serial
  outcomes=$(mktemp -d)
  serials=$(attached_targets)
  for serial in $serials; do
    local device
    device=$(device_for "$serial") || continue
    prepare_pool "$serial" "$POOL_PREFIX-$serial" "$device" > "$outcomes/$serial" &
  done
  wait
  # One target that cannot come up does not keep the others down.
  for serial in $serials; do
    bring_up_target "$serial" "$(cat "$outcomes/$serial" 2>/dev/null)" || failed+=" $serial"
  done
  rm -rf "$outcomes"
  case "$ROLE" in
    mgs) enforce_quotas ;;
    mds) start_client_mount ;;
  esac
  if [ -n "$failed" ]; then
    log "done, except:$failed"
    return 1
  fi
  log "done"
}

case "${1:-}" in
  "") setup ;;
  client-mount) mount_client ;;
  *) log "usage: $0 [client-mount | --check-image [KERNEL]]"; exit 2 ;;
esac
