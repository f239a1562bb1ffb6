// Package deploy_test checks the deployment files against the code they
// configure: the NATS cluster files with nats-server's own parser, the
// compose file and the systemd units against Aduan's configuration keys and
// roles. No Docker engine or systemd is needed.
package deploy_test

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/nats-io/nats-server/v2/server"
	"go.yaml.in/yaml/v3"

	"github.com/aduan-gateway/aduan/config"
)

var natsNodes = []string{"nats-1", "nats-2", "nats-3"}

func TestNATSClusterFiles(t *testing.T) {
	t.Setenv("NATS_ADUAN_PASSWORD", "test-password")
	t.Setenv("NATS_JETSTREAM_KEY", "test-key")
	for _, node := range natsNodes {
		opts, err := server.ProcessConfigFile(filepath.Join("nats", node+".conf"))
		if err != nil {
			t.Fatalf("%s.conf: %v", node, err)
		}
		if opts.ServerName != node {
			t.Errorf("%s.conf: server_name %q", node, opts.ServerName)
		}
		if !opts.JetStream || opts.StoreDir != "/var/lib/aduan-nats" || opts.JetStreamKey != "test-key" {
			t.Errorf("%s.conf: jetstream %v, store %q, key set %v; want on, /var/lib/aduan-nats (the units' StateDirectory), encrypted",
				node, opts.JetStream, opts.StoreDir, opts.JetStreamKey != "")
		}
		if opts.Cluster.Name != "aduan" || opts.Cluster.Port != 6222 || len(opts.Routes) != 3 {
			t.Errorf("%s.conf: cluster %q port %d with %d routes, want aduan, 6222, 3", node, opts.Cluster.Name, opts.Cluster.Port, len(opts.Routes))
		}
		for i, r := range opts.Routes {
			if r.Hostname() != natsNodes[i] {
				t.Errorf("%s.conf: route %d goes to %s, want %s", node, i, r.Host, natsNodes[i])
			}
		}
		if len(opts.Users) != 1 || opts.Users[0].Username != "aduan" || opts.Users[0].Password != "test-password" {
			t.Errorf("%s.conf: want the one user aduan with the password from the environment", node)
		}
		if opts.HTTPHost != "127.0.0.1" {
			t.Errorf("%s.conf: monitoring on %q, want loopback only", node, opts.HTTPHost)
		}
	}
	// Without the secrets in the environment the server refuses to start
	// rather than run unencrypted or open.
	os.Unsetenv("NATS_JETSTREAM_KEY")
	if _, err := server.ProcessConfigFile(filepath.Join("nats", "nats-1.conf")); err == nil {
		t.Error("nats-1.conf parsed without NATS_JETSTREAM_KEY set")
	}
}

type composeFile struct {
	Services map[string]struct {
		Image       string            `yaml:"image"`
		Command     []string          `yaml:"command"`
		Environment map[string]string `yaml:"environment"`
		Volumes     []string          `yaml:"volumes"`
		DependsOn   []string          `yaml:"depends_on"`
		Secrets     []string          `yaml:"secrets"`
	} `yaml:"services"`
	Secrets map[string]struct {
		File string `yaml:"file"`
	} `yaml:"secrets"`
	Volumes map[string]any `yaml:"volumes"`
}

// interpolate replaces compose's ${VAR...} references with a stand-in value.
var composeVar = regexp.MustCompile(`\$\{([A-Z_]+)[^}]*\}`)

func TestComposeFile(t *testing.T) {
	b, err := os.ReadFile("compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var c composeFile
	if err := yaml.Unmarshal(b, &c); err != nil {
		t.Fatalf("compose.yaml: %v", err)
	}
	for _, want := range append([]string{"postgres"}, natsNodes...) {
		if _, ok := c.Services[want]; !ok {
			t.Errorf("no service %s", want)
		}
	}
	for _, node := range natsNodes {
		s := c.Services[node]
		if len(s.Command) != 2 || s.Command[1] != "/etc/nats/"+node+".conf" {
			t.Errorf("%s: command %q does not run /etc/nats/%s.conf", node, s.Command, node)
		}
		if !slices.Contains(s.Volumes, "./nats:/etc/nats:ro") {
			t.Errorf("%s: deploy/nats is not mounted at /etc/nats", node)
		}
	}
	nikKey := filepath.Join(t.TempDir(), "nik.key")
	if err := os.WriteFile(nikKey, []byte(strings.Repeat("ab", 32)), 0o600); err != nil {
		t.Fatal(err)
	}
	roles := map[string]int{}
	cores := 0
	for name, s := range c.Services {
		for _, d := range s.DependsOn {
			if _, ok := c.Services[d]; !ok {
				t.Errorf("%s depends on unknown service %s", name, d)
			}
		}
		for _, sec := range s.Secrets {
			if _, ok := c.Secrets[sec]; !ok {
				t.Errorf("%s uses undeclared secret %s", name, sec)
			}
		}
		for _, v := range s.Volumes {
			if src, _, _ := strings.Cut(v, ":"); !strings.HasPrefix(src, ".") {
				if _, ok := c.Volumes[src]; !ok {
					t.Errorf("%s mounts undeclared volume %s", name, src)
				}
			}
		}
		if len(s.Command) < 2 || s.Command[0] != "serve" {
			continue
		}
		// An Aduan process: its roles, and an environment Aduan accepts.
		rs, ok := strings.CutPrefix(s.Command[1], "--roles=")
		parsed, err := config.ParseRoles(rs)
		if !ok || err != nil {
			t.Errorf("%s: command %q: want serve --roles=LIST (%v)", name, s.Command, err)
		}
		for _, r := range parsed {
			roles[r]++
		}
		if slices.Contains(parsed, config.RoleCore) {
			cores++
		}
		env := map[string]string{}
		var environ []string
		for k, v := range s.Environment {
			v = composeVar.ReplaceAllString(v, "secret")
			env[k] = v
			environ = append(environ, k+"="+v)
		}
		if unknown := config.UnknownKeys(environ); len(unknown) > 0 {
			t.Errorf("%s: unknown keys %v", name, unknown)
		}
		env[config.KeyNIKKey+"_FILE"] = nikKey
		env[config.KeyDataDir] = t.TempDir()
		cfg, err := config.LoadFrom(func(k string) string { return env[k] }, false)
		if err != nil {
			t.Errorf("%s: Aduan refuses its environment: %v", name, err)
			continue
		}
		if cfg.NATS.Replicas != 3 {
			t.Errorf("%s: streams at %d replicas, want 3", name, cfg.NATS.Replicas)
		}
		for _, node := range natsNodes {
			if !strings.Contains(cfg.NATSURL, "@"+node+":4222") {
				t.Errorf("%s: %s does not list %s", name, config.KeyNATSURL, node)
			}
		}
	}
	for _, r := range config.Roles {
		if roles[r] == 0 {
			t.Errorf("no Aduan service runs role %s", r)
		}
	}
	if cores < 2 {
		t.Errorf("%d core processes, want at least two (partitions move to the survivor)", cores)
	}
}

// unit is a systemd unit file: section → key → values (keys repeat).
type unit map[string]map[string][]string

func readUnit(t *testing.T, path string) unit {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	u := unit{}
	section := ""
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			section = line[1 : len(line)-1]
			u[section] = map[string][]string{}
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok || section == "" {
				t.Fatalf("%s:%d: not a key=value line in a section: %q", path, n, line)
			}
			u[section][k] = append(u[section][k], v)
		}
	}
	return u
}

// readEnvFile reads an EnvironmentFile: KEY=value lines and comments.
func readEnvFile(t *testing.T, path string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{}
	for line := range strings.SplitSeq(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			t.Fatalf("%s: not KEY=value: %q", path, line)
		}
		env[k] = v
	}
	return env
}

func TestSystemdUnits(t *testing.T) {
	shared := readEnvFile(t, filepath.Join("systemd", "aduan.env"))
	for _, tc := range []struct {
		unit string
		// instances: env files of a template's instances (nil: not a template)
		instances []string
	}{
		{unit: "aduan.service"},
		{unit: "aduan@.service", instances: []string{"edge", "core"}},
	} {
		u := readUnit(t, filepath.Join("systemd", tc.unit))
		for _, s := range []string{"Unit", "Service", "Install"} {
			if u[s] == nil {
				t.Errorf("%s: no [%s]", tc.unit, s)
			}
		}
		exec := u["Service"]["ExecStart"]
		if len(exec) != 1 || !strings.HasPrefix(exec[0], "/usr/local/bin/aduan serve --roles=") {
			t.Errorf("%s: ExecStart %q, want /usr/local/bin/aduan serve --roles=...", tc.unit, exec)
			continue
		}
		files := u["Service"]["EnvironmentFile"]
		if !slices.Contains(files, "/etc/aduan/aduan.env") {
			t.Errorf("%s: does not read /etc/aduan/aduan.env", tc.unit)
		}
		envs := []map[string]string{{}}
		if tc.instances != nil {
			envs = nil
			for _, inst := range tc.instances {
				envs = append(envs, readEnvFile(t, filepath.Join("systemd", inst+".env")))
			}
			if !slices.Contains(files, "/etc/aduan/%i.env") {
				t.Errorf("%s: does not read its instance's /etc/aduan/%%i.env", tc.unit)
			}
		}
		covered := map[string]bool{}
		for _, inst := range envs {
			env := map[string]string{}
			for k, v := range shared {
				env[k] = v
			}
			for k, v := range inst {
				env[k] = v
			}
			roles := strings.TrimPrefix(exec[0], "/usr/local/bin/aduan serve --roles=")
			roles = strings.ReplaceAll(roles, "${ADUAN_ROLES}", env[config.KeyRoles])
			parsed, err := config.ParseRoles(roles)
			if err != nil {
				t.Errorf("%s: roles %q: %v", tc.unit, roles, err)
			}
			for _, r := range parsed {
				covered[r] = true
			}
			var environ []string
			for k, v := range env {
				environ = append(environ, k+"="+v)
			}
			if unknown := config.UnknownKeys(environ); len(unknown) > 0 {
				t.Errorf("%s: unknown keys %v", tc.unit, unknown)
			}
		}
		for _, r := range config.Roles {
			if !covered[r] {
				t.Errorf("%s: no instance runs role %s", tc.unit, r)
			}
		}
	}
	n := readUnit(t, filepath.Join("systemd", "aduan-nats.service"))
	if exec := n["Service"]["ExecStart"]; len(exec) != 1 || !strings.Contains(exec[0], "nats-server -c /etc/aduan/nats/node.conf") {
		t.Errorf("aduan-nats.service: ExecStart %q", exec)
	}
	if sd := n["Service"]["StateDirectory"]; len(sd) != 1 || sd[0] != "aduan-nats" {
		t.Errorf("aduan-nats.service: StateDirectory %q, want aduan-nats (the store_dir of deploy/nats)", sd)
	}
	nenv := readEnvFile(t, filepath.Join("systemd", "nats.env"))
	for _, k := range []string{"NATS_ADUAN_PASSWORD", "NATS_JETSTREAM_KEY"} {
		if _, ok := nenv[k]; !ok {
			t.Errorf("nats.env lacks %s, which deploy/nats/cluster.conf reads", k)
		}
	}
}
