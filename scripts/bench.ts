// Placeholder: the benchmarks (tool-call cost against direct and thin-proxy baselines, session and refresh
// throughput, memory per session/account) are built by issue #8. This says so rather than printing numbers.
console.log('npm run bench: no benchmarks yet. They arrive with issue #8 (see README, "Benchmarks").');
