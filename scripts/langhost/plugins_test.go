package main

import (
	"os"
	"path/filepath"
	"testing"
)

// venv lays out a virtual environment the way `python -m venv` does, with the given files (path → content)
// under its site-packages; it returns the venv directory and its site-packages.
func venv(t *testing.T, cfg string, files map[string]string) (string, string) {
	t.Helper()
	t.Setenv("PYTHONPATH", "")
	t.Chdir(t.TempDir())
	dir := t.TempDir()
	site := filepath.Join(dir, "lib", "python3.11", "site-packages")
	files["../../../pyvenv.cfg"] = cfg
	files["pulumi-3.276.0.dist-info/METADATA"] = ""
	files["pulumi/__init__.py"] = ""
	writeFiles(t, site, files)
	return dir, site
}

// writeFiles writes files (path under dir → content), executable so that a test's fake tools and Pythons run.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o755); err != nil {
			t.Fatal(err)
		}
	}
}

const plainCfg = "home = /nonexistent/bin\ninclude-system-site-packages = false\nversion = 3.11.7\n"

func TestNoPluginPackages_OnlyTheSDKAndPolicyInstalled(t *testing.T) {
	dir, _ := venv(t, plainCfg, map[string]string{
		"pulumi_policy-1.21.0.dist-info/METADATA":  "",
		"pulumi_policy/pulumi-plugin.json":         `{ "resource": false }`,
		"zt_risk_scoring-0.1.0.dist-info/METADATA": "",
		"requests-2.32.0.dist-info/METADATA":       "",
	})
	if !noPluginPackages(dir) {
		t.Fatal("a venv with only pulumi, pulumi_policy and non-Pulumi packages needs no pip list")
	}
}

func TestNoPluginPackages_ProviderPackageInstalled(t *testing.T) {
	for _, name := range []string{"pulumi_random-4.16.0.dist-info", "Pulumi.AWS-6.0.0.dist-info", "pulumi_x.egg-info", "pulumi_y.egg-link"} {
		dir, _ := venv(t, plainCfg, map[string]string{name + "/METADATA": ""})
		if noPluginPackages(dir) {
			t.Fatalf("%s may need a plugin: pip list must run", name)
		}
	}
}

func TestNoPluginPackages_PluginManifestWithoutResourceFalse(t *testing.T) {
	for _, manifest := range []string{`{"resource": true, "name": "x"}`, `{}`, `not json`} {
		dir, _ := venv(t, plainCfg, map[string]string{
			"acme_cloud-1.0.dist-info/METADATA": "",
			"acme_cloud/pulumi-plugin.json":     manifest,
		})
		if noPluginPackages(dir) {
			t.Fatalf("pulumi-plugin.json %q may name a plugin: pip list must run", manifest)
		}
	}
}

func TestNoPluginPackages_PthAddsDirectoryWithProvider(t *testing.T) {
	extra := t.TempDir()
	if err := os.MkdirAll(filepath.Join(extra, "pulumi_tls.egg-info"), 0o755); err != nil {
		t.Fatal(err)
	}
	dir, _ := venv(t, plainCfg, map[string]string{
		"__editable__.x.pth":         extra + "\n",
		"distutils-precedence.pth":   "import os; var = 1\n",
		"x-0.1.0.dist-info/METADATA": "",
	})
	if noPluginPackages(dir) {
		t.Fatal("a provider on a .pth path is listed by pip: pip list must run")
	}
}

func TestNoPluginPackages_SystemSitePackagesOrPythonPath(t *testing.T) {
	dir, _ := venv(t, "include-system-site-packages = true\n", map[string]string{})
	if noPluginPackages(dir) {
		t.Fatal("system site-packages are not looked at: pip list must run")
	}
	dir, _ = venv(t, plainCfg, map[string]string{})
	t.Setenv("PYTHONPATH", t.TempDir())
	if noPluginPackages(dir) {
		t.Fatal("PYTHONPATH is not looked at: pip list must run")
	}
}

func TestNoPluginPackages_ProviderInWorkingDirectory(t *testing.T) {
	dir, _ := venv(t, plainCfg, map[string]string{})
	if err := os.Mkdir("pulumi_command-1.0.0.dist-info", 0o755); err != nil {
		t.Fatal(err)
	}
	if noPluginPackages(dir) {
		t.Fatal("`python -m pip` sees the working directory: pip list must run")
	}
}

func TestEnvironmentOf_PythonCmdInVenv(t *testing.T) {
	dir, _ := venv(t, plainCfg, map[string]string{})
	python := filepath.Join(dir, "bin", "python")
	if err := os.MkdirAll(filepath.Dir(python), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(python, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PULUMI_PYTHON_CMD", python)
	if got := environmentOf(""); got != dir {
		t.Fatalf("environmentOf = %q, want %q", got, dir)
	}
	if got := environmentOf("/some/venv"); got != "/some/venv" {
		t.Fatalf("the virtualenv option wins: got %q", got)
	}
	t.Setenv("PULUMI_PYTHON_CMD", "/bin/sh")
	if got := environmentOf(""); got != "" {
		t.Fatalf("a Python outside a venv has no environment: got %q", got)
	}
}
