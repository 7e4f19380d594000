package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
)

// environmentOf is the virtual environment a forwarded call's Python runs in: venv when the project names
// one, else the venv holding $PULUMI_PYTHON_CMD (or python3, python) as found on PATH, the way the v3.68 host
// looks it up. "" when that Python is not in a virtual environment.
func environmentOf(venv string) string {
	if venv != "" {
		return venv
	}
	candidates := []string{"python3", "python"}
	if cmd := os.Getenv("PULUMI_PYTHON_CMD"); cmd != "" {
		candidates = []string{cmd}
	}
	for _, name := range candidates {
		path, err := exec.LookPath(name)
		if err != nil {
			continue
		}
		if path, err = filepath.Abs(path); err != nil {
			return ""
		}
		// Not EvalSymlinks: a venv's bin/python links to the base interpreter.
		dir := filepath.Dir(filepath.Dir(path))
		if _, err := os.Stat(filepath.Join(dir, "pyvenv.cfg")); err == nil {
			return dir
		}
		return ""
	}
	return ""
}

// noPluginPackages reports whether the v3.68 host's GetRequiredPlugins would provably answer "no plugins"
// for a Python running in the virtual environment dir, without running `python -m pip list` (about
// 0.2 s per preview or update, measured in docs/performance.md). That host turns into a plugin every distribution pip lists whose name
// starts with "pulumi-" (but pulumi-policy) or whose package directory holds a pulumi-plugin.json. This
// looks at a superset of what pip lists: every *.dist-info, *.egg-info and *.egg-link in the venv's
// site-packages, in the directories its .pth files add, in the working directory and in the base standard
// library; a name that normalizes to "pulumi-*" (but pulumi-policy) or a pulumi-plugin.json one level
// down without `"resource": false` (pulumi_policy ships one) means "ask pip". So does what this cannot see: PYTHONPATH, system site-packages, an unreadable
// pyvenv.cfg, site-packages or .pth file.
func noPluginPackages(dir string) bool {
	cfg, err := readConfig(filepath.Join(dir, "pyvenv.cfg"))
	if err != nil || os.Getenv("PYTHONPATH") != "" || strings.EqualFold(cfg["include-system-site-packages"], "true") {
		return false
	}
	sites, err := filepath.Glob(filepath.Join(dir, "lib", "python*", "site-packages"))
	if err != nil || len(sites) == 0 {
		return false
	}
	// Also what is on sys.path besides site-packages: the working directory (`python -m` puts it first)
	// and the base interpreter's standard library.
	others := []string{}
	if cwd, err := os.Getwd(); err == nil {
		others = append(others, cwd)
	}
	if home := cfg["home"]; home != "" {
		stdlib, _ := filepath.Glob(filepath.Join(filepath.Dir(home), "lib", "python*"))
		others = append(others, stdlib...)
	}
	seen := map[string]bool{}
	for len(sites) > 0 || len(others) > 0 {
		var path string
		isSite := len(sites) > 0
		if isSite {
			path, sites = sites[0], sites[1:]
		} else {
			path, others = others[0], others[1:]
		}
		if seen[path] {
			continue
		}
		seen[path] = true
		entries, err := os.ReadDir(path)
		if err != nil {
			if isSite {
				return false
			}
			continue
		}
		for _, e := range entries {
			name := e.Name()
			switch {
			case isSite && strings.HasSuffix(name, ".pth"):
				added, ok := pthDirs(filepath.Join(path, name), path)
				if !ok {
					return false
				}
				sites = append(sites, added...)
			case strings.HasSuffix(name, ".dist-info"), strings.HasSuffix(name, ".egg-info"),
				strings.HasSuffix(name, ".egg-link"):
				if mayBePlugin(name) {
					return false
				}
			}
			if declaresPlugin(filepath.Join(path, name, "pulumi-plugin.json")) {
				return false
			}
		}
	}
	return true
}

// mayBePlugin: a distribution file name (name-version.dist-info, name.egg-info, name.egg-link) whose
// project name, normalized as pip does (case, runs of -_. to -), starts with "pulumi-", other than
// pulumi-policy, which the v3.68 host skips.
func mayBePlugin(file string) bool {
	project := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(file, ".dist-info"), ".egg-info"), ".egg-link")
	project, _, _ = strings.Cut(project, "-") // wheel file names escape - in the project name as _
	project = strings.ToLower(strings.NewReplacer("_", "-", ".", "-").Replace(project))
	return strings.HasPrefix(project, "pulumi-") && project != "pulumi-policy"
}

// declaresPlugin: a pulumi-plugin.json exists at path and does not say `"resource": false`.
func declaresPlugin(path string) bool {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		return false
	}
	var manifest map[string]any
	if err != nil || json.Unmarshal(data, &manifest) != nil {
		return true
	}
	resource, found := manifest["resource"]
	return !found || resource != false
}

// pthDirs: the existing directories a .pth file adds to sys.path (its lines that are not comments or
// `import` statements, relative to site). ok is false when the file cannot be read.
func pthDirs(file, site string) ([]string, bool) {
	f, err := os.Open(file)
	if err != nil {
		return nil, false
	}
	defer f.Close()
	var dirs []string
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		line := strings.TrimSpace(scanner.Text())
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "import ") ||
			strings.HasPrefix(line, "import\t") {
			continue
		}
		if !filepath.IsAbs(line) {
			line = filepath.Join(site, line)
		}
		if st, err := os.Stat(line); err == nil && st.IsDir() {
			dirs = append(dirs, filepath.Clean(line))
		}
	}
	return dirs, scanner.Err() == nil
}

// readConfig reads pyvenv.cfg's `key = value` lines.
func readConfig(file string) (map[string]string, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	cfg := map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		if key, value, found := strings.Cut(line, "="); found {
			cfg[strings.TrimSpace(key)] = strings.TrimSpace(value)
		}
	}
	return cfg, nil
}
