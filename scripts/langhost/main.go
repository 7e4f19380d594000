// Command pulumi-language-python fronts the Python language host built from sdk/v3 v3.68.0 (the newest
// the module proxy serves) and adds what that host lacks under the pinned engine:
//
//   - the `virtualenv` runtime option of Pulumi.yaml: the v3.68 host only takes it as a start-up flag,
//     the engine now sends it with each call (ProgramInfo.options), so the shim starts one v3.68 host per
//     virtual environment, with -virtualenv set, on the first call that names it;
//   - GetRequiredPlugins without `python -m pip list` when the environment provably holds no package a
//     plugin could come from (see noPluginPackages);
//   - RunPlugin with the program in RunPluginRequest.info (how the engine starts policy packs);
//   - a Cancel that stops the hosts at once.
//
// Every other call is forwarded unchanged.
package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/emptypb"
)

const realHost = "pulumi-language-python-v3.68"

// version is stamped by scripts/ensure-pulumi (the pinned CLI's version); empty in a plain `go build`.
var version string

// child is one v3.68 host process and a client of it.
type child struct {
	cmd    *exec.Cmd
	client pulumirpc.LanguageRuntimeClient
}

type shim struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	args   []string // the engine's arguments to this process, passed on to every v3.68 host
	stop   func()   // stops serving, which ends this process
	mu     sync.Mutex
	hosts  map[string]*child // by absolute virtualenv path; "" is the host without one
	closed bool
}

// virtualenv is the `virtualenv` runtime option of the program's project, made absolute against the
// project root as upstream's pip toolchain does, and the option as written ("" when unset).
func virtualenv(info *pulumirpc.ProgramInfo) (string, string) {
	opt := info.GetOptions().GetFields()["virtualenv"].GetStringValue()
	if opt == "" || filepath.IsAbs(opt) {
		return opt, opt
	}
	return filepath.Join(info.GetRootDirectory(), opt), opt
}

// isVirtualEnv mirrors upstream's check: the directory holds bin/python.
func isVirtualEnv(dir string) bool {
	st, err := os.Stat(filepath.Join(dir, "bin", "python"))
	return err == nil && !st.IsDir()
}

// virtualEnvError is upstream's message for a `virtualenv` option that names no virtual environment.
func virtualEnvError(opt, dir string) error {
	problem := "doesn't appear to be a virtual environment"
	if _, err := os.Stat(dir); os.IsNotExist(err) {
		problem = "doesn't exist"
	}
	python := filepath.Join(dir, "bin", "python")
	return fmt.Errorf("The 'virtualenv' option in Pulumi.yaml is set to %q, but %q %s; run the following commands "+
		"to create the virtual environment and install dependencies into it:\n\n"+
		"    1. python3 -m venv %s\n    2. %s -m pip install --upgrade pip setuptools wheel\n"+
		"    3. %s -m pip install -r requirements.txt\n", opt, dir, problem, dir, python, python)
}

// checkedVenv is virtualenv(info) after upstream's validation.
func checkedVenv(info *pulumirpc.ProgramInfo) (string, error) {
	venv, opt := virtualenv(info)
	if venv != "" && !isVirtualEnv(venv) {
		return "", virtualEnvError(opt, venv)
	}
	return venv, nil
}

// host returns the v3.68 host for a virtual environment ("" for none), starting it on first use.
func (s *shim) host(venv string) (pulumirpc.LanguageRuntimeClient, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, errors.New("the language host is shutting down")
	}
	if h, ok := s.hosts[venv]; ok {
		return h.client, nil
	}
	h, err := s.start(venv)
	if err != nil {
		return nil, err
	}
	s.hosts[venv] = h
	return h.client, nil
}

func (s *shim) start(venv string) (*child, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	args := s.args
	env := os.Environ()
	if venv != "" {
		args = append([]string{"-virtualenv", venv}, args...)
		// With a virtualenv the v3.68 host runs `$PULUMI_PYTHON_CMD` from the venv's bin directory; the
		// option wins over the variable, as upstream's pip toolchain has it.
		env = withoutVar(env, "PULUMI_PYTHON_CMD")
	}
	cmd := exec.Command(filepath.Join(filepath.Dir(self), realHost), args...)
	cmd.Env = env
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	reader := bufio.NewReader(out)
	port, err := reader.ReadString('\n')
	if err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return nil, fmt.Errorf("the v3.68 language host did not report its port: %w", err)
	}
	go func() { _, _ = io.Copy(os.Stdout, reader) }()
	conn, err := grpc.NewClient("127.0.0.1:"+strings.TrimSpace(port), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return nil, err
	}
	go func() {
		// A host ends when the engine goes away or on Cancel: so does this process.
		_ = cmd.Wait()
		s.stop()
	}()
	return &child{cmd: cmd, client: pulumirpc.NewLanguageRuntimeClient(conn)}, nil
}

func withoutVar(env []string, name string) []string {
	out := make([]string, 0, len(env))
	for _, kv := range env {
		if !strings.HasPrefix(kv, name+"=") {
			out = append(out, kv)
		}
	}
	return out
}

func (s *shim) GetRequiredPlugins(ctx context.Context, r *pulumirpc.GetRequiredPluginsRequest) (*pulumirpc.GetRequiredPluginsResponse, error) {
	venv, err := checkedVenv(r.GetInfo())
	if err != nil {
		return nil, err
	}
	if dir := environmentOf(venv); dir != "" && noPluginPackages(dir) {
		return &pulumirpc.GetRequiredPluginsResponse{}, nil
	}
	host, err := s.host(venv)
	if err != nil {
		return nil, err
	}
	return host.GetRequiredPlugins(ctx, r)
}

// hostFor is the v3.68 host for the program's virtualenv option, refused when that venv does not exist.
func (s *shim) hostFor(info *pulumirpc.ProgramInfo) (pulumirpc.LanguageRuntimeClient, error) {
	venv, err := checkedVenv(info)
	if err != nil {
		return nil, err
	}
	return s.host(venv)
}

func (s *shim) Run(ctx context.Context, r *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	host, err := s.hostFor(r.GetInfo())
	if err != nil {
		return nil, err
	}
	return host.Run(ctx, r)
}

func (s *shim) GetPluginInfo(ctx context.Context, r *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	if version != "" {
		return &pulumirpc.PluginInfo{Version: version}, nil
	}
	host, err := s.host("")
	if err != nil {
		return nil, err
	}
	return host.GetPluginInfo(ctx, r)
}

func (s *shim) About(ctx context.Context, r *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	venv, _ := virtualenv(r.GetInfo())
	host, err := s.host(venv)
	if err != nil {
		return nil, err
	}
	return host.About(ctx, r)
}

func (s *shim) GetProgramDependencies(ctx context.Context, r *pulumirpc.GetProgramDependenciesRequest) (*pulumirpc.GetProgramDependenciesResponse, error) {
	host, err := s.hostFor(r.GetInfo())
	if err != nil {
		return nil, err
	}
	return host.GetProgramDependencies(ctx, r)
}

func (s *shim) Cancel(ctx context.Context, r *emptypb.Empty) (*emptypb.Empty, error) {
	// The old host has no Cancel and would hold the engine for its 5 s kill grace period.
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	for _, h := range s.hosts {
		_ = h.cmd.Process.Signal(syscall.SIGTERM)
	}
	if len(s.hosts) == 0 {
		s.stop()
	}
	return &emptypb.Empty{}, nil
}

// RunPlugin runs a Python plugin (a policy pack) from its program directory with the Python of its
// `virtualenv` runtime option, else PULUMI_PYTHON_CMD, else python3.
func (s *shim) RunPlugin(r *pulumirpc.RunPluginRequest, srv grpc.ServerStreamingServer[pulumirpc.RunPluginResponse]) error {
	dir := r.GetInfo().GetProgramDirectory()
	if dir == "" {
		dir = r.GetProgram()
	}
	venv, err := checkedVenv(r.GetInfo())
	if err != nil {
		return err
	}
	python, env := os.Getenv("PULUMI_PYTHON_CMD"), r.GetEnv()
	if python == "" {
		python = "python3"
	}
	if venv != "" {
		python, env = filepath.Join(venv, "bin", "python"), activate(env, venv)
	}
	cmd := exec.CommandContext(srv.Context(), python, append([]string{"-u", dir}, r.GetArgs()...)...)
	cmd.Dir = r.GetPwd()
	cmd.Env = env
	cmd.Stdout = streamWriter{srv, false}
	cmd.Stderr = streamWriter{srv, true}
	err = cmd.Run()
	if exit, ok := err.(*exec.ExitError); ok {
		return srv.Send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: int32(exit.ExitCode())}})
	}
	return err
}

// activate is upstream's ActivateVirtualEnv: the venv's bin first on PATH, VIRTUAL_ENV set, no PYTHONHOME.
func activate(env []string, venv string) []string {
	bin := filepath.Join(venv, "bin")
	out, hasPath := make([]string, 0, len(env)+2), false
	for _, kv := range env {
		key, value, _ := strings.Cut(kv, "=")
		switch key {
		case "PATH":
			hasPath = true
			out = append(out, "PATH="+bin+string(os.PathListSeparator)+value)
		case "PYTHONHOME", "VIRTUAL_ENV":
		default:
			out = append(out, kv)
		}
	}
	if !hasPath {
		out = append(out, "PATH="+bin)
	}
	return append(out, "VIRTUAL_ENV="+venv)
}

type streamWriter struct {
	srv    grpc.ServerStreamingServer[pulumirpc.RunPluginResponse]
	stderr bool
}

func (w streamWriter) Write(p []byte) (int, error) {
	data := append([]byte(nil), p...)
	resp := &pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stdout{Stdout: data}}
	if w.stderr {
		resp = &pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stderr{Stderr: data}}
	}
	return len(p), w.srv.Send(resp)
}

func main() {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fail(err)
	}
	server := grpc.NewServer()
	var once sync.Once
	stopped := make(chan struct{})
	stop := func() {
		// Let in-flight calls (the Cancel that got here) answer, for at most 2 s.
		once.Do(func() {
			go func() {
				timer := time.AfterFunc(2*time.Second, server.Stop)
				server.GracefulStop()
				timer.Stop()
				close(stopped)
			}()
		})
	}
	s := &shim{args: os.Args[1:], hosts: map[string]*child{}, stop: stop}
	pulumirpc.RegisterLanguageRuntimeServer(server, s)
	fmt.Printf("%d\n", listener.Addr().(*net.TCPAddr).Port)
	if err := server.Serve(listener); err != nil {
		fail(err)
	}
	<-stopped
	s.mu.Lock()
	for _, h := range s.hosts {
		_ = h.cmd.Process.Signal(syscall.SIGTERM)
	}
	s.mu.Unlock()
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "pulumi-language-python shim: %v\n", err)
	os.Exit(1)
}
