// Command pulumi-language-python fronts the Python language host built from sdk/v3 v3.68.0 (the newest
// the module proxy serves) and adds what that host lacks under the pinned engine:
//
//   - the `toolchain` and `virtualenv` runtime options of Pulumi.yaml, resolved by upstream's
//     python/toolchain package (toolchain.go): the engine sends them with each call (ProgramInfo.options),
//     the v3.68 host only takes a venv as a start-up flag, so the shim starts one v3.68 host per virtual
//     environment the toolchain names (pip's `virtualenv`, uv's or poetry's venv), with -virtualenv set;
//   - InstallDependencies (`pulumi install`) through that toolchain;
//   - GetRequiredPlugins without `python -m pip list` when the environment provably holds no package a
//     plugin could come from (see noPluginPackages);
//   - About and GetProgramDependencies from the toolchain (the v3.68 host asks the ambient python3 and pip);
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
	"github.com/pulumi/pulumi/sdk/v3/python/toolchain"
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
	envs   map[toolchain.PythonOptions]resolved
	closed bool
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
	_, venv, err := s.environment(ctx, r.GetInfo())
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

func (s *shim) Run(ctx context.Context, r *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	tc, venv, err := s.environment(ctx, r.GetInfo())
	if err != nil {
		return nil, err
	}
	// As upstream's Run: the toolchain's Command first brings uv's venv up to date (`uv sync --inexact`, what
	// `uv run` does); the v3.68 host then runs the program with that venv's python.
	if _, err := tc.Command(ctx); err != nil {
		return nil, err
	}
	host, err := s.host(venv)
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
// toolchain: its venv's, else PULUMI_PYTHON_CMD, else python3.
func (s *shim) RunPlugin(r *pulumirpc.RunPluginRequest, srv grpc.ServerStreamingServer[pulumirpc.RunPluginResponse]) error {
	info := pluginInfo(r)
	tc, venv, err := s.environment(srv.Context(), info)
	if err != nil {
		return err
	}
	cmd, err := tc.Command(srv.Context(), append([]string{"-u", info.GetProgramDirectory()}, r.GetArgs()...)...)
	if err != nil {
		return err
	}
	cmd.Dir = r.GetPwd()
	cmd.Env = r.GetEnv() // the engine's environment for the plugin, not this process's
	if venv != "" {
		cmd.Env = toolchain.ActivateVirtualEnv(r.GetEnv(), venv)
	}
	cmd.Stdout = streamWriter{srv, false}
	cmd.Stderr = streamWriter{srv, true}
	err = cmd.Run()
	if exit, ok := err.(*exec.ExitError); ok {
		return srv.Send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: int32(exit.ExitCode())}})
	}
	return err
}

// pluginInfo is the plugin's ProgramInfo, its program directory defaulted to RunPluginRequest.program.
func pluginInfo(r *pulumirpc.RunPluginRequest) *pulumirpc.ProgramInfo {
	info := r.GetInfo()
	if info.GetProgramDirectory() != "" {
		return info
	}
	return &pulumirpc.ProgramInfo{RootDirectory: info.GetRootDirectory(), ProgramDirectory: r.GetProgram(),
		EntryPoint: info.GetEntryPoint(), Options: info.GetOptions()}
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
