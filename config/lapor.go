package config

// LaporConfig configures the SP4N-LAPOR! adapter.
type LaporConfig struct{}

var laporSection = section{}
