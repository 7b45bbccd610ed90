/**
 * Baton's fault soak: {@link dev.baton.soak.BatonSoak} adds the recipes' workloads (locks with a
 * fenced resource, leader election, work queue with a ledger, config subscriptions) to a testkit
 * {@link dev.baton.testkit.Soak}; {@link dev.baton.soak.SoakMain} runs a long soak from the command
 * line. Not a library for applications: a test harness that ships its source as an example.
 */
package dev.baton.soak;
