package dev.lustrecsi.agent.lustre;

/**
 * One line of {@code lctl dl}: {@code "%3d %s %s %s %s %d"}.
 *
 * @param status UP, ST (stopping), IN (inactive) or AT (attached)
 * @param type obd type: mgs, mdt, obdfilter, osc, osp, ...
 */
public record Device(int index, String status, String type, String name, String uuid, int refcount) {
  public boolean up() {
    return "UP".equals(status);
  }
}
