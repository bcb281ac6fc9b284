package dev.lustrecsi.node.stats;

import dev.lustrecsi.common.volume.VolumeId;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;

/**
 * statvfs(3) through the Foreign Function API: block and inode counts of the filesystem (or,
 * on Lustre, the project quota) behind a path, without starting a process per call.
 */
public final class Statvfs implements VolumeStatsSource {
  // struct statvfs on 64-bit Linux (glibc and musl): eleven 8-byte fields, then int __f_spare[6].
  private static final long SIZE = 11 * 8 + 6 * 4;
  private static final long F_FRSIZE = 8;
  private static final long F_BLOCKS = 16;
  private static final long F_BFREE = 24;
  private static final long F_BAVAIL = 32;
  private static final long F_FILES = 40;
  private static final long F_FFREE = 48;

  /**
   * The downcall, linked on the first statvfs rather than when the plugin starts: linking takes
   * about 30 ms in the interpreted node plugin, before its socket would serve.
   */
  private static final class Native {
    static final VarHandle ERRNO = Linker.Option.captureStateLayout()
        .varHandle(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
    static final MethodHandle STATVFS = Linker.nativeLinker().downcallHandle(
        Linker.nativeLinker().defaultLookup().find("statvfs").orElseThrow(),
        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS),
        Linker.Option.captureCallState("errno"));
  }

  @Override
  public VolumeStats stats(java.util.Optional<VolumeId> volume, Path volumePath) throws IOException {
    return of(volumePath);
  }

  /** statvfs of a path. */
  public static VolumeStats of(Path path) throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(Linker.Option.captureStateLayout());
      MemorySegment buffer = arena.allocate(SIZE, 8);
      int rc = (int) Native.STATVFS.invokeExact(state, arena.allocateFrom(path.toString()), buffer);
      if (rc != 0) {
        int errno = (int) Native.ERRNO.get(state, 0L);
        throw new IOException("statvfs " + path + " failed: errno " + errno);
      }
      long fragment = buffer.get(ValueLayout.JAVA_LONG, F_FRSIZE);
      long blocks = buffer.get(ValueLayout.JAVA_LONG, F_BLOCKS);
      long free = buffer.get(ValueLayout.JAVA_LONG, F_BFREE);
      long available = buffer.get(ValueLayout.JAVA_LONG, F_BAVAIL);
      long files = buffer.get(ValueLayout.JAVA_LONG, F_FILES);
      long freeFiles = buffer.get(ValueLayout.JAVA_LONG, F_FFREE);
      return new VolumeStats(blocks * fragment, available * fragment, (blocks - free) * fragment, files, freeFiles, files - freeFiles);
    } catch (IOException e) {
      throw e;
    } catch (Throwable e) {
      throw new IOException("statvfs " + path + " failed: " + e, e);
    }
  }
}
