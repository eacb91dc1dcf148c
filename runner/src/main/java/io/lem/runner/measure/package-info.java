/**
 * The measurement a runner process performs, built on the energy and FLOPs plugins the registry selected.
 *
 * <ul>
 *   <li>{@link io.lem.runner.measure.ProcessMeasurement}: opens the process's energy sources (host-level ones on
 *       local rank 0 only; a source that fails to open is skipped and reported), lists the devices and plugins for
 *       {@code ProcessStarted}, runs named measurement windows ({@code run}, {@code batch-N}, {@code idle-baseline})
 *       that emit one {@code EnergyReading} per device, samples power and memory on one daemon thread
 *       ({@code lem-power-sampler}), and emits {@code FlopsEstimate}s per batch and method.</li>
 *   <li>{@link io.lem.runner.measure.IdleBaseline}: idle power per device, for results that subtract
 *       {@code idle power × run duration} and report both figures.</li>
 * </ul>
 *
 * A device that cannot be measured over a whole window is absent, never 0. Plugin code is not trusted: a source
 * whose reads throw reports its devices absent, a FLOPs provider that cannot handle the model is left out with its
 * message logged once; neither fails a run.
 */
package io.lem.runner.measure;
