// Training tests share libtorch's one global random generator. A method seeds it when a run opens and then draws from
// it (LoRA's initialisation, dropout), and many tests seed it to build their tiny models. Test classes running side by
// side would draw from it between another run's seed and its draws, so that a run's trajectory, and a test that checks
// it, would depend on which test ran beside it (a PPO LoRA run was seen to train differently that way). They run one at
// a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
