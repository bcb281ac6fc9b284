package dev.lustrecsi.node.mount;

import dev.lustrecsi.common.error.CsiException;
import dev.lustrecsi.common.exec.CommandFailedException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One Lustre mount per filesystem per node, under {@code mountRoot/FSNAME}. Volumes are bind
 * mounts of directories inside it. Its reference count is not stored anywhere: it is the number
 * of bind mounts taken from it, read from mountinfo. So a crash never leaves a count wrong, and
 * unstaging one volume unmounts the filesystem exactly when no staged or published volume still
 * uses it. The filesystem mount is made shared, so that its binds share its peer group: that is
 * what tells them from another client mount of the same filesystem on the node (an admin's), and
 * from binds of that, which show the same source and roots.
 */
public final class FilesystemMounts {
  private static final System.Logger LOG = System.getLogger(FilesystemMounts.class.getName());

  private final Path mountRoot;
  private final MountTable mounts;
  private final LustreClient client;
  private final Mounter mounter;
  private final ConcurrentMap<String, ReentrantLock> locks = new ConcurrentHashMap<>();

  public FilesystemMounts(Path mountRoot, MountTable mounts, LustreClient client, Mounter mounter) {
    this.mountRoot = mountRoot;
    this.mounts = mounts;
    this.client = client;
    this.mounter = mounter;
  }

  public Path mountPoint(String fsName) {
    return mountRoot.resolve(fsName);
  }

  /**
   * Runs {@code work} with the filesystem mounted, mounting it first if needed. Holding the
   * filesystem's lock across the work keeps a concurrent {@link #releaseIfUnused} from
   * unmounting it between the mount and the bind that makes it used.
   */
  public <T> T withMounted(LustreSource source, List<String> options, MountedWork<T> work) {
    ReentrantLock lock = lockFor(source.fsName());
    lock.lock();
    try {
      boolean wasMounted = mounts.at(mountPoint(source.fsName())).isPresent();
      MountEntry mount = ensureMounted(source, options);
      try {
        return work.run(mount);
      } catch (RuntimeException e) {
        if (!wasMounted) {
          // Mounted for work that then failed (no such directory, wrong network): do not leave it behind unused.
          releaseIfUnused(source.fsName());
        }
        throw e;
      }
    } finally {
      lock.unlock();
    }
  }

  /** Unmounts the filesystem if no bind mount taken from it is left. */
  public void releaseIfUnused(String fsName) {
    ReentrantLock lock = lockFor(fsName);
    lock.lock();
    try {
      Optional<MountEntry> mount = mounts.at(mountPoint(fsName));
      if (mount.isEmpty()) {
        return;
      }
      long users = users(mount.get()).size();
      if (users > 0) {
        LOG.log(Level.DEBUG, "filesystem " + fsName + " still used by " + users + " mounts");
        return;
      }
      mounter.unmount(mountPoint(fsName));
      Files.deleteIfExists(mountPoint(fsName));
      LOG.log(Level.INFO, "unmounted filesystem " + fsName + ": no volume uses it any more");
    } catch (CommandFailedException e) {
      // The volume itself is unstaged; a busy filesystem mount is retried at the next unstage or restart.
      LOG.log(Level.WARNING, "could not unmount unused filesystem " + fsName + ": " + e.getMessage());
    } catch (IOException e) {
      LOG.log(Level.WARNING, "could not remove mount point of " + fsName + ": " + e.getMessage());
    } finally {
      lock.unlock();
    }
  }

  /** The bind mounts (staged and published volumes) taken from the filesystem mount {@code fsMount}. */
  public List<MountEntry> users(MountEntry fsMount) {
    return users(fsMount, mounts.entries());
  }

  private List<MountEntry> users(MountEntry fsMount, List<MountEntry> entries) {
    return entries.stream()
        .filter(m -> m.id() != fsMount.id() && !isFilesystemMount(m) && m.isTakenFrom(fsMount))
        .toList();
  }

  /** Each filesystem mounted under the mount root, by name, with how many bind mounts are taken from it: one read of mountinfo. */
  public java.util.SortedMap<String, Integer> volumeMountCounts() {
    List<MountEntry> entries = mounts.entries();
    java.util.SortedMap<String, Integer> counts = new java.util.TreeMap<>();
    for (MountEntry fs : entries) {
      if (isFilesystemMount(fs)) {
        counts.put(fs.mountPoint().getFileName().toString(), users(fs, entries).size());
      }
    }
    return counts;
  }

  /** The filesystem (by name) whose mount under the mount root {@code mount} is, or was taken from, if any. */
  public Optional<String> filesystemOf(MountEntry mount) {
    return filesystemMounts().stream()
        .filter(fs -> mount.id() == fs.id() || mount.isTakenFrom(fs))
        .map(fs -> fs.mountPoint().getFileName().toString())
        .findFirst();
  }

  /**
   * Detaches a filesystem mount that stopped answering, if no volume uses it: {@code umount -l}
   * returns even while the mount is hung, and the next stage of a volume on it mounts afresh.
   * A mount still in use is left alone (unmounting it would pull the volume from under its pod).
   *
   * @return whether it was detached
   */
  public boolean detachIfUnused(String fsName, String why) {
    ReentrantLock lock = lockFor(fsName);
    lock.lock();
    try {
      Optional<MountEntry> mount = mounts.at(mountPoint(fsName));
      if (mount.isEmpty() || !users(mount.get()).isEmpty()) {
        return false;
      }
      mounter.unmountLazily(mountPoint(fsName));
      LOG.log(Level.WARNING, "detached filesystem " + fsName + " (" + why + "); the next volume staged on it mounts it again");
      try {
        Files.deleteIfExists(mountPoint(fsName));
      } catch (IOException e) {
        LOG.log(Level.DEBUG, "mount point of " + fsName + " stays: " + e.getMessage());
      }
      return true;
    } catch (CommandFailedException e) {
      LOG.log(Level.WARNING, "could not detach filesystem " + fsName + ": " + e.getMessage());
      return false;
    } finally {
      lock.unlock();
    }
  }

  public Path mountRoot() {
    return mountRoot;
  }

  /** Filesystem mounts under the mount root, for adoption and orphan cleanup at start. */
  public List<MountEntry> filesystemMounts() {
    return mounts.entries().stream().filter(this::isFilesystemMount).toList();
  }

  private boolean isFilesystemMount(MountEntry mount) {
    return mountRoot.equals(mount.mountPoint().getParent());
  }

  private MountEntry ensureMounted(LustreSource source, List<String> options) {
    Path target = mountPoint(source.fsName());
    Optional<MountEntry> existing = mounts.at(target);
    if (existing.isPresent()) {
      return existing.get();
    }
    String unavailable = client.unavailableReason();
    if (unavailable != null) {
      throw CsiException.failedPrecondition("this node cannot mount Lustre: " + unavailable);
    }
    try {
      Files.createDirectories(target);
      client.mount(source, target, options);
      if (mounts.at(target).map(MountEntry::peerGroup).orElse(0) == 0) {
        mounter.makeShared(target);
      }
    } catch (IOException e) {
      throw CsiException.internal("cannot create mount point " + target + ": " + e.getMessage(), e);
    } catch (CommandFailedException e) {
      if (e.getMessage().contains(" failed: No such file or directory")) {
        // The MGS knows no filesystem of that name (reference: mount_wrong_fsname): the volume does not exist.
        throw CsiException.notFound("filesystem " + source.fsName() + " is not known to its MGS: " + e.getMessage());
      }
      // mount.lustre's own words are what an admin needs to see.
      throw CsiException.internal("mounting Lustre filesystem " + source.fsName() + " failed: " + e.getMessage(), e);
    }
    LOG.log(Level.INFO, "mounted filesystem " + source.fsName() + " at " + target);
    return mounts.at(target).orElseThrow(() -> CsiException.internal("mount of " + source.fsName() + " at " + target + " does not show in mountinfo", null));
  }

  private ReentrantLock lockFor(String fsName) {
    return locks.computeIfAbsent(fsName, k -> new ReentrantLock());
  }

  /** Work done while the filesystem is held mounted. */
  @FunctionalInterface
  public interface MountedWork<T> {
    T run(MountEntry filesystemMount);
  }
}
