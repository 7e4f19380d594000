package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/pulumi/pulumi/sdk/v3/python/toolchain"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/structpb"
)

// fakeTool puts an executable `name` on PATH that runs script (sh) and logs its arguments and
// UV_PROJECT_ENVIRONMENT to the returned file.
func fakeTool(t *testing.T, name, script string) string {
	t.Helper()
	bin := t.TempDir()
	log := filepath.Join(bin, name+".log")
	body := "#!/bin/sh\necho \"$* env=$UV_PROJECT_ENVIRONMENT\" >> " + log + "\n" + script + "\n"
	if err := os.WriteFile(filepath.Join(bin, name), []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	return log
}

const fakeUv = `case "$1" in --version) echo "uv 0.7.2";; sync) echo "Resolved 3 packages"; echo "warning: x" >&2;; esac`

// project is a program directory holding files (path → content), with its ProgramInfo for options.
func project(t *testing.T, files map[string]string, options map[string]any) (string, *pulumirpc.ProgramInfo) {
	t.Helper()
	dir := t.TempDir()
	writeFiles(t, dir, files)
	opts, err := structpb.NewStruct(options)
	if err != nil {
		t.Fatal(err)
	}
	return dir, &pulumirpc.ProgramInfo{RootDirectory: dir, ProgramDirectory: dir, EntryPoint: ".", Options: opts}
}

const pyproject = "[project]\nname = \"p\"\nversion = \"0.1.0\"\ndependencies = []\n"

func TestPythonOptions_ToolchainOption(t *testing.T) {
	for name, want := range map[string]any{"pip": toolchain.Pip, "poetry": toolchain.Poetry, "uv": toolchain.Uv} {
		_, info := project(t, nil, map[string]any{"toolchain": name, "virtualenv": "venv"})
		opts, err := pythonOptions(info)
		if err != nil || opts.Toolchain != want || opts.Virtualenv != "venv" {
			t.Fatalf("toolchain %s: got %+v, %v", name, opts, err)
		}
	}
	_, info := project(t, nil, map[string]any{})
	if opts, _ := pythonOptions(info); opts.Toolchain != toolchain.Auto {
		t.Fatalf("no toolchain option is Auto, got %v", opts.Toolchain)
	}
	for _, bad := range []map[string]any{{"toolchain": "conda"}, {"toolchain": 1.0}, {"virtualenv": true}} {
		_, info := project(t, nil, bad)
		if _, err := pythonOptions(info); err == nil {
			t.Fatalf("options %v must be refused", bad)
		}
	}
}

func TestEnvironment_UvProjectRunsInItsVenv(t *testing.T) {
	fakeTool(t, "uv", fakeUv)
	files := map[string]string{"pyproject.toml": pyproject, ".venv/bin/python": "#!/bin/sh\n"}
	dir, info := project(t, files, map[string]any{"toolchain": "uv"})
	if _, venv, err := (&shim{}).environment(context.Background(), info); err != nil || venv != filepath.Join(dir, ".venv") {
		t.Fatalf("environment = %q, %v; want the project's .venv", venv, err)
	}
	// Without the option, a uv.lock selects uv (upstream's Auto).
	files["uv.lock"] = ""
	dir, info = project(t, files, map[string]any{})
	if _, venv, err := (&shim{}).environment(context.Background(), info); err != nil || venv != filepath.Join(dir, ".venv") {
		t.Fatalf("environment with uv.lock = %q, %v; want the project's .venv", venv, err)
	}
}

func TestEnvironment_ResolvedOncePerProcess(t *testing.T) {
	log := fakeTool(t, "uv", fakeUv)
	files := map[string]string{"pyproject.toml": pyproject, ".venv/bin/python": "#!/bin/sh\n"}
	_, info := project(t, files, map[string]any{"toolchain": "uv"})
	s := &shim{}
	for range 3 {
		if _, _, err := s.environment(context.Background(), info); err != nil {
			t.Fatal(err)
		}
	}
	if calls, _ := os.ReadFile(log); strings.Count(string(calls), "--version") != 1 {
		t.Fatalf("the toolchain is resolved once per process, uv ran: %s", calls)
	}
}

func TestEnvironment_UvVenvMissingIsRefused(t *testing.T) {
	fakeTool(t, "uv", fakeUv)
	_, info := project(t, map[string]string{"pyproject.toml": pyproject}, map[string]any{"toolchain": "uv"})
	if _, _, err := (&shim{}).environment(context.Background(), info); err == nil || !strings.Contains(err.Error(), "is not a virtualenv") {
		t.Fatalf("a uv project without its venv must be refused, got %v", err)
	}
}

func TestEnvironment_UvMissingSaysSo(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, info := project(t, map[string]string{"pyproject.toml": pyproject}, map[string]any{"toolchain": "uv"})
	if _, _, err := (&shim{}).environment(context.Background(), info); err == nil || !strings.Contains(err.Error(), "Could not find `uv`") {
		t.Fatalf("no uv on PATH must be said, got %v", err)
	}
}

func TestEnvironment_PipVirtualenvMissingNamesTheOption(t *testing.T) {
	_, info := project(t, nil, map[string]any{"toolchain": "pip", "virtualenv": "no-such-venv"})
	_, _, err := (&shim{}).environment(context.Background(), info)
	if err == nil || !strings.Contains(err.Error(), `set to "no-such-venv"`) || !strings.Contains(err.Error(), "doesn't exist") {
		t.Fatalf("upstream's message for a missing virtualenv, got %v", err)
	}
	_, info = project(t, nil, map[string]any{"toolchain": "pip"})
	if _, venv, err := (&shim{}).environment(context.Background(), info); err != nil || venv != "" {
		t.Fatalf("pip without virtualenv is the ambient Python, got %q, %v", venv, err)
	}
}

func TestEnvironment_PoetryVenvFromPoetry(t *testing.T) {
	venv := filepath.Join(t.TempDir(), "p-py3.11")
	writeFiles(t, venv, map[string]string{"bin/python": ""})
	fakeTool(t, "poetry", `case "$1" in --version) echo "Poetry (version 2.1.3)";; env) echo "`+venv+`";; esac`)
	_, info := project(t, map[string]string{"pyproject.toml": pyproject}, map[string]any{"toolchain": "poetry"})
	if _, got, err := (&shim{}).environment(context.Background(), info); err != nil || got != venv {
		t.Fatalf("environment = %q, %v; want poetry's venv %q", got, err, venv)
	}
}

// installStream collects what InstallDependencies streams to the engine.
type installStream struct {
	grpc.ServerStream
	stdout, stderr strings.Builder
}

func (s *installStream) Send(r *pulumirpc.InstallDependenciesResponse) error {
	s.stdout.Write(r.GetStdout())
	s.stderr.Write(r.GetStderr())
	return nil
}

func (s *installStream) Context() context.Context { return context.Background() }

func TestInstallDependencies_UvSyncsAndStreamsOutput(t *testing.T) {
	log := fakeTool(t, "uv", fakeUv)
	dir, info := project(t, map[string]string{"pyproject.toml": pyproject}, map[string]any{"toolchain": "uv"})
	stream := &installStream{}
	if err := (&shim{}).InstallDependencies(&pulumirpc.InstallDependenciesRequest{Info: info}, stream); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Installing dependencies...", "Resolved 3 packages", "Finished installing dependencies"} {
		if !strings.Contains(stream.stdout.String(), want) {
			t.Fatalf("stdout %q lacks %q", stream.stdout.String(), want)
		}
	}
	if !strings.Contains(stream.stderr.String(), "warning: x") {
		t.Fatalf("uv's stderr is streamed too, got %q", stream.stderr.String())
	}
	calls, _ := os.ReadFile(log)
	if !strings.Contains(string(calls), "sync env="+filepath.Join(dir, ".venv")) {
		t.Fatalf("uv sync into the project's .venv expected, uv ran: %s", calls)
	}
}

func TestInstallDependencies_PoetryInstalls(t *testing.T) {
	log := fakeTool(t, "poetry", `case "$1" in --version) echo "Poetry (version 2.1.3)";; install) echo "Installing p";; esac`)
	_, info := project(t, map[string]string{"pyproject.toml": pyproject}, map[string]any{"toolchain": "poetry"})
	stream := &installStream{}
	if err := (&shim{}).InstallDependencies(&pulumirpc.InstallDependenciesRequest{Info: info}, stream); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stream.stdout.String(), "Installing p") {
		t.Fatalf("poetry's output is streamed, got %q", stream.stdout.String())
	}
	if calls, _ := os.ReadFile(log); !strings.Contains(string(calls), "install --no-ansi") {
		t.Fatalf("poetry install expected, poetry ran: %s", calls)
	}
}

func TestInstallDependencies_FailingSyncIsAnError(t *testing.T) {
	fakeTool(t, "uv", `case "$1" in --version) echo "uv 0.7.2";; sync) echo "no solution" >&2; exit 1;; esac`)
	_, info := project(t, map[string]string{"pyproject.toml": pyproject}, map[string]any{"toolchain": "uv"})
	stream := &installStream{}
	err := (&shim{}).InstallDependencies(&pulumirpc.InstallDependenciesRequest{Info: info}, stream)
	if err == nil || strings.Contains(stream.stdout.String(), "Finished") {
		t.Fatalf("a failing uv sync must fail the install, got %v, %q", err, stream.stdout.String())
	}
}

// The toolchain package is the one of the pinned release: go.mod's sdk/v3 is ensure-pulumi's PULUMI_VERSION.
func TestGoMod_SdkIsThePinnedRelease(t *testing.T) {
	script, err := os.ReadFile("../ensure-pulumi")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, _ := strings.Cut(string(script), `PULUMI_VERSION="${PULUMI_VERSION:-`)
	pinned, _, _ := strings.Cut(rest, "}")
	mod, err := os.ReadFile("go.mod")
	if err != nil {
		t.Fatal(err)
	}
	if pinned == "" || !strings.Contains(string(mod), "github.com/pulumi/pulumi/sdk/v3 v"+pinned+"\n") {
		t.Fatalf("go.mod must require github.com/pulumi/pulumi/sdk/v3 v%s, the pinned CLI", pinned)
	}
}

// fakeVenv is a venv whose python answers what the toolchain asks of it: its version, its executable and
// `pip list`.
func fakeVenv(t *testing.T, dir string) string {
	t.Helper()
	venv := filepath.Join(dir, "venv")
	python := `case "$1" in --version) echo "Python 3.11.7";; -c) echo "` + venv + `/bin/python";;
-m) echo '[{"name": "Zt_Risk.Scoring", "version": "0.1.0"}, {"name": "pulumi", "version": "3.276.0"}]';; esac`
	writeFiles(t, venv, map[string]string{"bin/python": "#!/bin/sh\n" + python + "\n"})
	return venv
}

func TestAbout_ReportsTheToolchainsPython(t *testing.T) {
	dir, info := project(t, nil, map[string]any{"toolchain": "pip", "virtualenv": "venv"})
	venv := fakeVenv(t, dir)
	about, err := (&shim{}).About(context.Background(), &pulumirpc.AboutRequest{Info: info})
	if err != nil || about.GetExecutable() != venv+"/bin/python" || about.GetVersion() != "3.11.7" {
		t.Fatalf("About = %v, %v; want the venv's python 3.11.7", about, err)
	}
}

func TestGetProgramDependencies_ListsTheToolchainsPackages(t *testing.T) {
	dir, info := project(t, nil, map[string]any{"toolchain": "pip", "virtualenv": "venv"})
	fakeVenv(t, dir)
	deps, err := (&shim{}).GetProgramDependencies(context.Background(), &pulumirpc.GetProgramDependenciesRequest{Info: info})
	if err != nil || len(deps.GetDependencies()) != 2 || deps.GetDependencies()[0].GetName() != "zt-risk-scoring" {
		t.Fatalf("GetProgramDependencies = %v, %v; want pip's two packages, names normalized", deps, err)
	}
}
