/** Side-by-side measurements of Baton against Curator's recipes on one ensemble (issue 6). */
package dev.baton.benchmarks;
