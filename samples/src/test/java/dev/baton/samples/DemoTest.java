package dev.baton.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DemoTest {

  @Test
  void demo_runsEndToEnd_withNoFailedCheck() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int failed = new Demo(new PrintStream(bytes, true, StandardCharsets.UTF_8)).run();
    String output = bytes.toString(StandardCharsets.UTF_8);
    assertThat(failed).as(output).isZero();
    assertThat(output).contains("Summary: 8 checks, 0 failed.").doesNotContain("FAIL");
  }
}
