package dev.baton.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** CI runs the demo end to end in its short mode and judges its summary. */
class DemoTest {

  @Test
  void demo_runsEndToEnd_withNoFailedCheck_noStaleWriteAccepted_andNoItemLost() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int failed =
        Demo.run(new String[] {"--quick"}, new PrintStream(bytes, true, StandardCharsets.UTF_8));
    String output = bytes.toString(StandardCharsets.UTF_8);
    assertThat(failed).as(output).isZero();
    assertThat(output)
        .doesNotContain("FAIL")
        .containsPattern("stale writes accepted\\s+0\\n")
        .containsPattern("stale writes rejected\\s+1\\n")
        .containsPattern("queue items lost\\s+0\\n")
        .containsPattern("checks failed\\s+0 of \\d+");
  }
}
