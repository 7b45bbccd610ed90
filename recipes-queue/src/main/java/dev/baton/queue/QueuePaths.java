package dev.baton.queue;

import dev.baton.core.ZkPath;

/**
 * Where a queue keeps its nodes, under its root: {@code items} (persistent-sequential item nodes),
 * {@code claims} (one ephemeral claim per item being handled, named like the item), {@code acks}
 * (for a batch node being handled: which of its items are acked) and {@code dead} (dead letters).
 *
 * <p>Immutable.
 */
record QueuePaths(ZkPath root, ZkPath items, ZkPath claims, ZkPath acks, ZkPath dead) {

  static QueuePaths of(ZkPath root) {
    return new QueuePaths(
        root, root.child("items"), root.child("claims"), root.child("acks"), root.child("dead"));
  }

  ZkPath item(String name) {
    return items.child(name);
  }

  ZkPath claim(String name) {
    return claims.child(name);
  }

  ZkPath ack(String name) {
    return acks.child(name);
  }
}
