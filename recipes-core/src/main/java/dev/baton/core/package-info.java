/**
 * Baton's core: the {@link dev.baton.core.Baton} client, {@link dev.baton.core.Session sessions}
 * (epochs), {@link dev.baton.core.Hold holds} with pushed loss, {@link dev.baton.core.ZkPath paths}
 * and the sealed {@link dev.baton.core.BatonException} family. Every recipe module builds on this
 * package and on nothing else of Baton.
 *
 * <p>{@code dev.baton.core.internal} is not API: it may change in any release.
 */
package dev.baton.core;
