/**
 * Many runs: seed sweeps, journeys and budget search, each training in child processes or in turn.
 *
 * <p><b>Internal:</b> not part of mnistlab's API (that is {@link dev.mnistlab.api}) and free to change. The
 * API returns {@link dev.mnistlab.search.SeedSweep.Result} and {@link dev.mnistlab.search.Search.Outcome}
 * and takes {@link dev.mnistlab.search.Search.Settings} and {@link dev.mnistlab.search.SearchSpace}.
 */
package dev.mnistlab.search;
