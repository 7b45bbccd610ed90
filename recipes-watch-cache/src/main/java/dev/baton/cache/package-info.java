/**
 * Baton's watch caches. {@link dev.baton.cache.TreeCache} and {@link dev.baton.cache.NodeCache}
 * keep a local copy of a subtree or a node on ONE persistent recursive watch each, judge every
 * change by zxid and resync after every reconnect and new session; {@link
 * dev.baton.cache.ConfigSubscription} turns a node into a typed, validated value whose bad pushes
 * never replace the last good one; {@link dev.baton.cache.InvalidationChannel} delivers "key K
 * changed" to every subscriber once, and "drop everything" after a gap.
 */
package dev.baton.cache;
