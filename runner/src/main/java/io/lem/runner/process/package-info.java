/**
 * The runner process: one process of an experiment, from config to measured events.
 *
 * <ul>
 *   <li>{@link io.lem.runner.process.RunnerProcess} runs one process in this JVM, configured by
 *       {@link io.lem.runner.process.RunnerSettings}, and returns a {@link io.lem.runner.process.RunnerOutcome}.</li>
 *   <li>{@link io.lem.runner.process.RunnerMain} is the child-JVM entry point the launcher starts (arguments:
 *       {@link io.lem.runner.process.RunnerArgs}; progress lines, exit codes and signal handling: its class
 *       comment).</li>
 * </ul>
 *
 * <h2>Sequence</h2>
 * <ol>
 *   <li>Prompts: the config's source, the first {@code num_input_prompts}, this process's round-robin shard
 *       ({@link io.lem.runner.prompts.PromptSet}). Loaded before the model so that a bad prompts file fails
 *       before a download.</li>
 *   <li>The model is located ({@code lem-synthetic/<name>}, a directory or a hub id); plugins are discovered (built-ins,
 *       {@code --plugins-dir}s, {@code ./plugins}, {@code <lem home>/plugins}) and the measurement opened for the
 *       model's {@code config.json}; tokenizer and weights are loaded onto the device.</li>
 *   <li>{@code ProcessStarted}; power sampling starts; the idle baseline is measured when
 *       {@code energy.idle_baseline_seconds > 0} (by every local process at once, see below).</li>
 *   <li>Warm-up, then the measured batches inside the energy window {@code run}. With several processes of the
 *       experiment on this host ({@code localWorldSize > 1}) the window opens once every local process has warmed
 *       up and closes once every one has generated its last batch ({@link io.lem.runner.process.LocalPeers}), so that
 *       the host-level meters of local rank 0 cover every local batch.</li>
 *   <li>{@code save_outputs}: {@code <results>/outputs/<experimentId>/process_<index>.jsonl}.</li>
 *   <li>The sampler stops, then {@code ProcessCompleted} (its {@code lastSeq} is its own seq) is the last event; the
 *       sink is flushed and closed.</li>
 * </ol>
 *
 * <h2>Events of one process</h2>
 * <pre>
 * ProcessStarted
 * [EnergyReading window=idle-baseline per device]
 * per warm-up batch:  BatchStarted(warmup) PrefillCompleted TokensGenerated... BatchCompleted(warmup)
 * per measured batch: BatchStarted PrefillCompleted TokensGenerated... EnergyReading(batch-i)... BatchCompleted
 *                     FlopsEstimate(analytic methods...) FlopsEstimate(counted)
 * EnergyReading window=run per device
 * ProcessCompleted | ProcessFailed
 * </pre>
 * PowerSample and MemorySample events of the sampler thread interleave anywhere between ProcessStarted and the
 * terminal event. Seqs are gap-free from 0.
 *
 * <h2>Warm-up</h2>
 * {@code warmup_batches: W} runs W extra batches before measuring: {@code W × batch_size} prompts taken from the start
 * of the process's shard (starting over when the shard is shorter), generated exactly like measured batches. They are
 * additional work: the measured batches still cover the whole shard, so results do not depend on W. Warm-up batches
 * emit BatchStarted, PrefillCompleted, TokensGenerated and BatchCompleted with {@code warmup=true} (so the aggregator
 * can leave them out and still count them), but no FlopsEstimate and no energy window, and they run before the
 * {@code run} window opens. Batch indices are unique within the process: warm-up batches are {@code 0..W-1},
 * measured batches {@code W, W+1, ...}. ProcessCompleted's totals and duration cover measured batches only. A
 * process without prompts runs no warm-up and no batches and opens no {@code run} window.
 *
 * <h2>Failure and cancellation</h2>
 * Any failure after the emitter exists ends the stream with {@code ProcessFailed} ({@code <phase>: <message>} on one
 * line, {@code lastSeq} its own seq); earlier events stay as they are; an energy window still open is not reported
 * (a partial {@code run} window would read as the whole run). {@link io.lem.runner.process.RunnerProcess#cancel()}
 * (SIGTERM/SIGINT in {@code RunnerMain}) stops the run at the next batch event or decode step, or cuts the idle
 * baseline short, and ends the stream with {@code ProcessFailed("cancelled")}. Nothing interrupts the runner thread:
 * an interrupt would close the file channels of the sinks.
 */
package io.lem.runner.process;
