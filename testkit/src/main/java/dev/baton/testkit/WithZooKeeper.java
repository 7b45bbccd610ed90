package dev.baton.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gives a JUnit 5 test class a real ZooKeeper ensemble, started once for the class and torn down
 * after it (servers, processes, containers, data folders, proxies and ports, also when tests fail),
 * and gives each test its own chroot.
 *
 * <p>Test methods (and constructors and lifecycle methods) can declare parameters of these types:
 *
 * <ul>
 *   <li>{@link ZooKeeperEnsemble}: the class's ensemble, for faults;
 *   <li>{@link dev.baton.core.Baton}: a client connected through the test's {@link ClientProxy},
 *       whose namespace is the test's chroot, closed after the test;
 *   <li>{@link ClientProxy}: the proxy that client goes through, to cut it off;
 *   <li>{@link TestClients}: to connect more clients (each with its own session) in the same
 *       chroot.
 * </ul>
 *
 * <pre>{@code
 * @WithZooKeeper(size = 3)
 * class BillingLockTest {
 *   @Test
 *   void lease_becomesLost_whenSessionExpires(Baton baton, ZooKeeperEnsemble zk) { ... }
 * }
 * }</pre>
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(ZooKeeperExtension.class)
public @interface WithZooKeeper {

  /** 1, 3 or 5 servers. */
  int size() default 3;

  /**
   * The backend, at most one; none means {@link Backend#fromEnvironment()} ({@code
   * BATON_TESTKIT_BACKEND}, else containers when Docker answers, else in-process).
   */
  Backend[] backend() default {};

  /** Session timeout of injected clients, in milliseconds. */
  int sessionTimeoutMillis() default 6000;

  /** Connection timeout of injected clients, in milliseconds. */
  int connectionTimeoutMillis() default 4000;

  /**
   * Gives the servers a TLS client port too ({@link ZooKeeperEnsemble.Builder#tls()}; not on the
   * containers backend). Injected clients still connect in plain text through their proxy; connect
   * TLS clients with {@code zk.tls().orElseThrow()}.
   */
  boolean tls() default false;
}
