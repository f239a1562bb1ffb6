package config_test

import (
	"testing"

	"github.com/aduan-gateway/aduan/config"
	"github.com/aduan-gateway/aduan/core/beritaacara"
)

// The letterhead converts as is: beritaacara.Office(cfg.Office). This
// fails to compile when the two structs drift apart.
var _ = beritaacara.Office(config.OfficeConfig{})

func TestOffice(t *testing.T) {
	for _, c := range []struct {
		name string
		env  map[string]string
		want config.OfficeConfig
	}{
		{"defaults: the office Aduan was built for", nil, config.OfficeConfig{
			Name:    "Dinas Sosial dan Pemberdayaan Masyarakat Desa Provinsi Kepulauan Bangka Belitung",
			Address: "Komplek Perkantoran Gubernur, Air Itam, Pangkalpinang",
			City:    "Pangkalpinang",
		}},
		{"overrides, white space folded", map[string]string{
			"ADUAN_OFFICE_NAME":    "  Dinas Sosial\n  Kabupaten Bangka ",
			"ADUAN_OFFICE_ADDRESS": "Jl. Ahmad Yani No. 1, Sungailiat",
			"ADUAN_OFFICE_PHONE":   "(0717) 92000",
			"ADUAN_OFFICE_CITY":    "Sungailiat",
		}, config.OfficeConfig{
			Name: "Dinas Sosial Kabupaten Bangka", Address: "Jl. Ahmad Yani No. 1, Sungailiat",
			Phone: "(0717) 92000", City: "Sungailiat",
		}},
		{"empty values keep the defaults", map[string]string{"ADUAN_OFFICE_NAME": " ", "ADUAN_OFFICE_CITY": ""},
			config.OfficeConfig{Name: config.DefaultOfficeName, Address: config.DefaultOfficeAddress, City: config.DefaultOfficeCity}},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := config.LoadFrom(env(c.env), false)
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Office != c.want {
				t.Errorf("office = %+v, want %+v", cfg.Office, c.want)
			}
		})
	}
}
