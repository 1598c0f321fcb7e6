//! Topic `probability` (Basic probability in backend settings). One line per family below, in the order packs and the registry list
//! them: a family is one file in this folder plus one line here. The order feeds the registry
//! fingerprint in pack codes, so a new family goes at the end.

crate::family::registry::families! {
    fanout_tail => FanoutTail,
    coupon => Coupon,
    retries => Retries,
    quorum => Quorum,
    poisson_burst => PoissonBurst,
    bayes_alert => BayesAlert,
    reservoir => Reservoir,
    patterns => Patterns,
    dice_sum => DiceSum,
    sampling_defects => SamplingDefects,
    expected_max => ExpectedMax,
    availability => Availability,
    load_balance => LoadBalance,
    estimate_error => EstimateError,
}
