// torch's default generator is process-global: tests that seed it and draw from it (model init,
// shuffling, determinism checks) would interleave their draws if classes ran in parallel.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
