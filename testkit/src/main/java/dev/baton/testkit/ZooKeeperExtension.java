package dev.baton.testkit;

import dev.baton.core.Baton;
import dev.baton.core.ZkPath;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * The JUnit 5 extension behind {@link WithZooKeeper}. The ensemble lives in the class's extension
 * store and the per-test clients in the test's store, so JUnit closes both even when a test or a
 * callback fails.
 *
 * <p>Thread-safe as JUnit requires (state lives in the stores).
 */
public final class ZooKeeperExtension
    implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback, ParameterResolver {

  private static final ExtensionContext.Namespace NS =
      ExtensionContext.Namespace.create(ZooKeeperExtension.class);
  private static final AtomicLong TESTS = new AtomicLong();

  @Override
  public void beforeAll(ExtensionContext context) {
    ensemble(context);
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    perTest(context);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    PerTest t = context.getStore(NS).remove(PerTest.class, PerTest.class);
    if (t != null) {
      t.close();
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext p, ExtensionContext context) {
    Class<?> type = p.getParameter().getType();
    return type == ZooKeeperEnsemble.class
        || type == Baton.class
        || type == ClientProxy.class
        || type == TestClients.class;
  }

  @Override
  public Object resolveParameter(ParameterContext p, ExtensionContext context) {
    Class<?> type = p.getParameter().getType();
    if (type == ZooKeeperEnsemble.class) {
      return ensemble(context);
    }
    if (context.getTestMethod().isEmpty()) {
      throw new ParameterResolutionException(
          type.getSimpleName()
              + " is per test: declare it on a test method, not on "
              + p.getDeclaringExecutable());
    }
    PerTest t = perTest(context);
    if (type == Baton.class) {
      return t.client();
    }
    if (type == ClientProxy.class) {
      return t.proxy();
    }
    return t.clients();
  }

  private static ZooKeeperEnsemble ensemble(ExtensionContext context) {
    WithZooKeeper config = config(context);
    return context
        .getStore(NS)
        .getOrComputeIfAbsent(
            ZooKeeperEnsemble.class,
            k -> {
              ZooKeeperEnsemble.Builder b = ZooKeeperEnsemble.builder().size(config.size());
              if (config.backend().length > 1) {
                throw new IllegalArgumentException("@WithZooKeeper takes at most one backend");
              }
              if (config.backend().length == 1) {
                b.backend(config.backend()[0]);
              }
              if (config.tls()) {
                b.tls();
              }
              return b.start();
            },
            ZooKeeperEnsemble.class);
  }

  private static PerTest perTest(ExtensionContext context) {
    return context
        .getStore(NS)
        .getOrComputeIfAbsent(PerTest.class, k -> PerTest.create(context), PerTest.class);
  }

  private static WithZooKeeper config(ExtensionContext context) {
    Optional<ExtensionContext> c = Optional.of(context);
    while (c.isPresent()) {
      Optional<WithZooKeeper> a =
          c.get()
              .getTestClass()
              .flatMap(k -> AnnotationSupport.findAnnotation(k, WithZooKeeper.class));
      if (a.isPresent()) {
        return a.get();
      }
      c = c.get().getParent();
    }
    throw new IllegalStateException(
        "ZooKeeperExtension needs @WithZooKeeper on the test class "
            + context.getTestClass().orElse(null));
  }

  /** A test's chroot, its proxy and clients. */
  private record PerTest(TestClients clients, ClientProxy proxy, Baton client)
      implements AutoCloseable {

    static PerTest create(ExtensionContext context) {
      WithZooKeeper config = config(context);
      ZooKeeperEnsemble ensemble = ensemble(context);
      String name =
          context.getRequiredTestClass().getSimpleName()
              + "."
              + context.getTestMethod().map(m -> m.getName()).orElse("class")
              + "-"
              + TESTS.incrementAndGet();
      ZkPath chroot = ZkPath.of("/baton-tests").child(name.replaceAll("[^A-Za-z0-9._-]", "_"));
      TestClients clients =
          new TestClients(
              ensemble,
              chroot,
              Duration.ofMillis(config.sessionTimeoutMillis()),
              Duration.ofMillis(config.connectionTimeoutMillis()));
      try {
        TestClients.ProxiedClient pc = clients.connectThroughNewProxy();
        pc.client()
            .awaitSession(Duration.ofSeconds(30))
            .ensurePath(ZkPath.root(), CreateMode.PERSISTENT)
            .get(30, TimeUnit.SECONDS);
        return new PerTest(clients, pc.proxy(), pc.client());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        clients.close();
        throw new IllegalStateException("interrupted while creating the test's chroot", e);
      } catch (ExecutionException | TimeoutException e) {
        clients.close();
        throw new IllegalStateException("creating the test's chroot " + chroot + " failed", e);
      } catch (RuntimeException e) {
        clients.close();
        throw e;
      }
    }

    @Override
    public void close() {
      clients.close();
    }
  }
}
