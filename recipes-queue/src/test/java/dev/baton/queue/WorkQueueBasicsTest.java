package dev.baton.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.core.Baton;
import dev.baton.core.BatonTimeoutException;
import dev.baton.core.Codec;
import dev.baton.core.CodecException;
import dev.baton.core.Session;
import dev.baton.core.ZkPath;
import dev.baton.testkit.TestClients;
import dev.baton.testkit.WithZooKeeper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Put, take, ack, release, batches and bad input against a real server. */
@WithZooKeeper(size = 1)
class WorkQueueBasicsTest {

  static final Duration WAIT = Duration.ofSeconds(30);

  static List<String> childrenOf(Baton baton, String path) throws Exception {
    Session s = baton.awaitSession(WAIT);
    return s.getChildren(ZkPath.of(path), Optional.empty()).exceptionally(e -> List.of()).get();
  }

  @Test
  void put_thenTake_thenAck_removesItemAndClaim(Baton baton) throws Exception {
    try (WorkQueue<String> q = WorkQueue.create(baton, "/q", Codec.utf8())) {
      String id = q.put("hello");
      Delivery<String> d = q.take(WAIT);
      assertThat(d.item()).isEqualTo("hello");
      assertThat(d.id()).isEqualTo(id);
      assertThat(childrenOf(baton, "/q/claims")).hasSize(1);
      d.ack();
      assertThat(childrenOf(baton, "/q/items")).isEmpty();
      assertThat(childrenOf(baton, "/q/claims")).isEmpty();
      assertThat(q.poll(Duration.ofMillis(200))).isEmpty();
    }
  }

  @Test
  void oneConsumer_getsFifoOrder(Baton baton) throws Exception {
    try (WorkQueue<String> q = WorkQueue.create(baton, "/q", Codec.utf8())) {
      for (int i = 0; i < 20; i++) {
        q.put("m" + i);
      }
      List<String> got = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        Delivery<String> d = q.take(WAIT);
        got.add(d.item());
        d.ack();
      }
      assertThat(got)
          .containsExactlyElementsOf(
              java.util.stream.IntStream.range(0, 20).mapToObj(i -> "m" + i).toList());
    }
  }

  @Test
  void release_makesTheItemComeBack_andAckedItemsNeverDo(Baton baton) throws Exception {
    try (WorkQueue<String> q = WorkQueue.create(baton, "/q", Codec.utf8())) {
      q.put("a");
      Delivery<String> first = q.take(WAIT);
      first.release().get();
      Delivery<String> again = q.take(WAIT);
      assertThat(again.id()).isEqualTo(first.id());
      again.ack();
      assertThatThrownBy(again::ack).isInstanceOf(IllegalStateException.class);
      assertThat(q.poll(Duration.ofMillis(300))).isEmpty();
    }
  }

  @Test
  void putAll_writesOneNode_andEachItemIsAckedOnce_evenAfterARelease(
      Baton baton, TestClients clients) throws Exception {
    try (WorkQueue<String> q = WorkQueue.create(baton, "/q", Codec.utf8())) {
      List<String> ids = q.putAll(List.of("a", "b", "c"), PutOptions.defaults());
      assertThat(ids).hasSize(3);
      assertThat(childrenOf(baton, "/q/items")).hasSize(1);
      Delivery<String> a = q.take(WAIT);
      Delivery<String> b = q.take(WAIT);
      assertThat(List.of(a.item(), b.item())).containsExactly("a", "b");
      a.ack();
      b.release().get(); // gives back the node with b and c; a is recorded as acked
      Delivery<String> c = q.take(WAIT);
      assertThat(c.item()).isEqualTo("c");
      c.close();
    }
    // Another consumer (another session) gets b and c, never a.
    try (WorkQueue<String> other = WorkQueue.create(clients.connect(), "/q", Codec.utf8())) {
      List<String> got = new ArrayList<>();
      Optional<Delivery<String>> d;
      while ((d = other.poll(Duration.ofSeconds(2))).isPresent()) {
        got.add(d.get().item());
        d.get().ack();
      }
      assertThat(got).containsExactly("b", "c");
    }
    assertThat(childrenOf(baton, "/q/items")).isEmpty();
    assertThat(childrenOf(baton, "/q/acks")).isEmpty();
  }

  @Test
  void badInput_isRejectedBeforeAnythingIsWritten(Baton baton) throws Exception {
    QueueOptions small = QueueOptions.defaults().withMaxNodeBytes(1000);
    Codec<String> failing =
        Codec.of(
            s -> {
              if (s.startsWith("bad")) {
                throw new IllegalArgumentException("cannot encode " + s);
              }
              return s.getBytes();
            },
            String::new);
    try (WorkQueue<String> q = WorkQueue.create(baton, "/q", failing, small)) {
      assertThatThrownBy(() -> q.put("x".repeat(2000)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("/q")
          .hasMessageContaining("nothing was written");
      List<String> batch = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        batch.add("y".repeat(150));
      }
      assertThatThrownBy(() -> q.putAll(batch, PutOptions.defaults()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("batch of 10 items");
      assertThatThrownBy(() -> q.putAll(List.of("ok", "bad one"), PutOptions.defaults()))
          .isInstanceOf(CodecException.class)
          .hasMessageContaining("item 1");
      assertThatThrownBy(() -> q.putAll(List.of(), PutOptions.defaults()))
          .isInstanceOf(IllegalArgumentException.class);
      assertThat(childrenOf(baton, "/q/items")).isEmpty();
    }
    assertThatThrownBy(() -> WorkQueue.create(baton, "q/relative", Codec.utf8()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new PutOptions(10, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PutOptions.defaults().withDelay(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ConsumerOptions.defaults().withConcurrency(0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> QueueOptions.defaults().withMaxNodeBytes(2_000_000))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("jute.maxbuffer");
  }

  @Test
  void take_onAnEmptyQueue_timesOutWithTheQueueNamed(Baton baton) throws Exception {
    try (WorkQueue<String> q = WorkQueue.create(baton, "/empty", Codec.utf8())) {
      assertThatThrownBy(() -> q.take(Duration.ofMillis(200)))
          .isInstanceOf(BatonTimeoutException.class)
          .hasMessageContaining("/empty");
    }
  }

  @Test
  void timedOutPolls_doNotPileUpInTheView(Baton baton) throws Exception {
    try (WorkQueue<String> q = WorkQueue.create(baton, "/idle", Codec.utf8())) {
      for (int i = 0; i < 50; i++) {
        assertThat(q.poll(Duration.ofMillis(5))).isEmpty();
      }
      // An idle queue sends no events, so nothing else would ever clear them.
      assertThat(q.waitingPolls()).isZero();
      q.put("x");
      assertThat(q.take(WAIT).item()).isEqualTo("x");
    }
  }
}
