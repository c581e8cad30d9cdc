package deploy

import (
	"encoding/json"
	"net"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
	"go.yaml.in/yaml/v4"
)

// mount is where a file or folder of the repository is mounted into s, read-only; it fails
// the test when it is not.
func mount(t *testing.T, s types.ServiceConfig, src string) string {
	t.Helper()
	i := slices.IndexFunc(s.Volumes, func(v types.ServiceVolumeConfig) bool { return v.Source == src })
	if i < 0 {
		t.Fatalf("%s is not mounted into %s (volumes %+v)", src, s.Name, s.Volumes)
	}
	if !s.Volumes[i].ReadOnly {
		t.Errorf("%s is mounted into %s writable", src, s.Name)
	}
	return s.Volumes[i].Target
}

func yamlFile(t *testing.T, path string, into any) {
	t.Helper()
	if err := yaml.Unmarshal([]byte(readFile(t, path)), into); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// pinned: an image with an explicit version tag, never latest or none.
var pinned = regexp.MustCompile(`^[a-z0-9./-]+:v?\d+\.\d+\.\d+$`)

// Prometheus scrapes the app's metrics port over the compose network; Grafana reads
// Prometheus and shows the dashboard, both provisioned from the repository's files.
func TestComposeWiresPrometheusAndGrafana(t *testing.T) {
	root := repoRoot(t)
	p := mustLoadCompose(t)
	app, prom, graf := service(t, p, "app"), service(t, p, "prometheus"), service(t, p, "grafana")

	// The app listens for metrics on every interface of its container, on its own port.
	host, metricsPort, err := net.SplitHostPort(env(app, "MARI_METRICS_ADDR"))
	if err != nil || host != "0.0.0.0" {
		t.Fatalf("app MARI_METRICS_ADDR = %q (%v), want 0.0.0.0:<port>", env(app, "MARI_METRICS_ADDR"), err)
	}
	if _, appPort, _ := net.SplitHostPort(env(app, "MARI_LISTEN_ADDR")); appPort == metricsPort {
		t.Errorf("the metrics share the app's port %s", appPort)
	}
	for _, pt := range app.Ports {
		if strings.TrimSpace(pt.Published) == metricsPort || int(pt.Target) == atoi(t, metricsPort) {
			t.Errorf("the app publishes its metrics port: %+v", pt)
		}
	}

	// Prometheus reads the mounted file and scrapes app:<metrics port>/metrics.
	for _, s := range []types.ServiceConfig{prom, graf} {
		if !pinned.MatchString(s.Image) {
			t.Errorf("%s image %q is not pinned to a version", s.Name, s.Image)
		}
	}
	configTarget := mount(t, prom, filepath.Join(root, "deploy", "prometheus", "prometheus.yml"))
	if !slices.Contains(prom.Command, "--config.file="+configTarget) {
		t.Errorf("prometheus command %v does not read %s", prom.Command, configTarget)
	}
	var promConfig struct {
		ScrapeConfigs []struct {
			JobName       string `yaml:"job_name"`
			MetricsPath   string `yaml:"metrics_path"`
			StaticConfigs []struct {
				Targets []string `yaml:"targets"`
			} `yaml:"static_configs"`
		} `yaml:"scrape_configs"`
	}
	yamlFile(t, filepath.Join(root, "deploy", "prometheus", "prometheus.yml"), &promConfig)
	scrapesApp := false
	for _, sc := range promConfig.ScrapeConfigs {
		for _, st := range sc.StaticConfigs {
			if slices.Contains(st.Targets, "app:"+metricsPort) && (sc.MetricsPath == "" || sc.MetricsPath == "/metrics") {
				scrapesApp = true
			}
		}
	}
	if !scrapesApp {
		t.Errorf("prometheus.yml does not scrape app:%s/metrics: %+v", metricsPort, promConfig)
	}
	if !slices.ContainsFunc(prom.Volumes, func(v types.ServiceVolumeConfig) bool {
		return v.Type == types.VolumeTypeVolume && v.Target == "/prometheus"
	}) || !slices.Contains(prom.Command, "--storage.tsdb.path=/prometheus") {
		t.Errorf("prometheus keeps its data off a named volume: %+v %v", prom.Volumes, prom.Command)
	}

	// Grafana: the admin password is the required secret; sign-up, anonymous access and every
	// call home are off.
	if env(graf, "GF_SECURITY_ADMIN_PASSWORD") != composeSecrets["GRAFANA_ADMIN_PASSWORD"] {
		t.Error("Grafana's admin password is not GRAFANA_ADMIN_PASSWORD")
	}
	for _, k := range []string{"GF_USERS_ALLOW_SIGN_UP", "GF_AUTH_ANONYMOUS_ENABLED", "GF_ANALYTICS_REPORTING_ENABLED",
		"GF_ANALYTICS_CHECK_FOR_UPDATES", "GF_ANALYTICS_CHECK_FOR_PLUGIN_UPDATES", "GF_NEWS_NEWS_FEED_ENABLED"} {
		if env(graf, k) != "false" {
			t.Errorf("grafana %s = %q, want false", k, env(graf, k))
		}
	}
	if d := graf.DependsOn["prometheus"]; d.Condition != types.ServiceConditionHealthy {
		t.Errorf("grafana depends on prometheus with %q, want service_healthy", d.Condition)
	}
	provisioning := filepath.Join(root, "deploy", "grafana", "provisioning")
	if got := mount(t, graf, filepath.Join(provisioning, "datasources")); got != "/etc/grafana/provisioning/datasources" {
		t.Errorf("data sources mounted at %s, where Grafana does not look", got)
	}
	if got := mount(t, graf, filepath.Join(provisioning, "dashboards")); got != "/etc/grafana/provisioning/dashboards" {
		t.Errorf("dashboard providers mounted at %s, where Grafana does not look", got)
	}
	dashboards := mount(t, graf, filepath.Join(root, "deploy", "grafana", "dashboards"))

	// The provider reads the folder the dashboards are mounted at.
	var providers struct {
		Providers []struct {
			Type    string `yaml:"type"`
			Options struct {
				Path string `yaml:"path"`
			} `yaml:"options"`
		} `yaml:"providers"`
	}
	yamlFile(t, filepath.Join(provisioning, "dashboards", "mari.yml"), &providers)
	if len(providers.Providers) != 1 || providers.Providers[0].Type != "file" || providers.Providers[0].Options.Path != dashboards {
		t.Errorf("dashboard provider %+v does not read %s", providers, dashboards)
	}

	// The data source is the prometheus service, and its uid is the one every panel names.
	var sources struct {
		Datasources []struct {
			UID  string `yaml:"uid"`
			Type string `yaml:"type"`
			URL  string `yaml:"url"`
		} `yaml:"datasources"`
	}
	yamlFile(t, filepath.Join(provisioning, "datasources", "prometheus.yml"), &sources)
	if len(sources.Datasources) != 1 {
		t.Fatalf("data sources %+v, want the one Prometheus", sources)
	}
	ds := sources.Datasources[0]
	if u, err := url.Parse(ds.URL); err != nil || ds.Type != "prometheus" || u.Host != "prometheus:9090" {
		t.Errorf("data source %+v, want type prometheus at http://prometheus:9090", ds)
	}
	var dash struct {
		Panels []struct {
			Title      string `json:"title"`
			Type       string `json:"type"`
			Datasource *struct {
				UID string `json:"uid"`
			} `json:"datasource"`
			Targets []struct {
				Datasource *struct {
					UID string `json:"uid"`
				} `json:"datasource"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal([]byte(readFile(t, filepath.Join(root, "deploy", "grafana", "dashboards", "mari.json"))), &dash); err != nil {
		t.Fatalf("mari.json: %v", err)
	}
	for _, panel := range dash.Panels {
		if panel.Type == "row" {
			continue
		}
		if panel.Datasource == nil || panel.Datasource.UID != ds.UID {
			t.Errorf("panel %q does not read the provisioned data source %q", panel.Title, ds.UID)
		}
		for _, tg := range panel.Targets {
			if tg.Datasource == nil || tg.Datasource.UID != ds.UID {
				t.Errorf("a query of panel %q does not read the provisioned data source %q", panel.Title, ds.UID)
			}
		}
	}
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("%q is not a port", s)
	}
	return n
}
