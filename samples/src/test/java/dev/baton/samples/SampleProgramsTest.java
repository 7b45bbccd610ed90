package dev.baton.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The standalone sample that is not part of the demo still runs and keeps its promises. */
class SampleProgramsTest {

  @Test
  void priceCacheSample_evictsOnPublish_andReportsNoFailedCheck() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    int failed;
    try (SampleRun run = SampleRun.open("price cache", new String[] {"--quick"}, out)) {
      PriceCacheSample.run(run);
      failed = run.report();
    }
    String output = bytes.toString(StandardCharsets.UTF_8);
    assertThat(failed).as(output).isZero();
    assertThat(output).contains("[reader] evict apple").contains("cache.gets");
  }
}
