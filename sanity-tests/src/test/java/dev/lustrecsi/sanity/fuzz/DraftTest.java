package dev.lustrecsi.sanity.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The fuzz run's own bookkeeping: a request's expectation follows what the request finally holds. */
class DraftTest {
  /**
   * Seed 1865620759823326995 made a NodeStageVolume whose bad volume_context a later volume_id
   * change replaced with the new id's good one; the draft still expected a refusal, and the
   * driver's right answer (OK) was reported as a finding.
   */
  @Test
  void aFieldALaterChangeReplacedNoLongerExpectsWhatItsEarlierValueDid() {
    Draft draft = new Draft("stage a at its staging path", Expect.anything());
    draft.change("volume_context", "bad mgsNids", Expect.refused());
    assertThat(draft.expect().mayBeOk()).isFalse();

    draft.replaced("volume_context");
    draft.change("volume_id", "another volume's id", Expect.anything());

    assertThat(draft.expect().mayBeOk()).isTrue();
    assertThat(draft.description()).contains("volume_context replaced by the new id's");
  }
}
