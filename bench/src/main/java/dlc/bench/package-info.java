/** Benchmark harnesses that print tables; see BENCHMARKS.md for the commands and results. */
package dlc.bench;
