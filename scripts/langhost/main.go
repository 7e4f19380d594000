// Command pulumi-language-python fronts the Python language host built from sdk/v3 v3.68.0 (the newest
// the module proxy serves) and adds what that host lacks under the pinned engine: RunPlugin with the
// program in RunPluginRequest.info (how the engine starts policy packs) and a Cancel that stops it at
// once. Every other call is forwarded unchanged.
package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/emptypb"
)

const realHost = "pulumi-language-python-v3.68"

type shim struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	host  pulumirpc.LanguageRuntimeClient
	child *exec.Cmd
}

func (s *shim) GetRequiredPlugins(ctx context.Context, r *pulumirpc.GetRequiredPluginsRequest) (*pulumirpc.GetRequiredPluginsResponse, error) {
	return s.host.GetRequiredPlugins(ctx, r)
}

func (s *shim) Run(ctx context.Context, r *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	return s.host.Run(ctx, r)
}

func (s *shim) GetPluginInfo(ctx context.Context, r *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return s.host.GetPluginInfo(ctx, r)
}

func (s *shim) About(ctx context.Context, r *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	return s.host.About(ctx, r)
}

func (s *shim) GetProgramDependencies(ctx context.Context, r *pulumirpc.GetProgramDependenciesRequest) (*pulumirpc.GetProgramDependenciesResponse, error) {
	return s.host.GetProgramDependencies(ctx, r)
}

func (s *shim) Cancel(ctx context.Context, r *emptypb.Empty) (*emptypb.Empty, error) {
	// The old host has no Cancel and would hold the engine for its 5 s kill grace period.
	_ = s.child.Process.Signal(syscall.SIGTERM)
	return &emptypb.Empty{}, nil
}

// RunPlugin runs a Python plugin (a policy pack) from its program directory with the project's Python.
func (s *shim) RunPlugin(r *pulumirpc.RunPluginRequest, srv grpc.ServerStreamingServer[pulumirpc.RunPluginResponse]) error {
	dir := r.GetInfo().GetProgramDirectory()
	if dir == "" {
		dir = r.GetProgram()
	}
	python := os.Getenv("PULUMI_PYTHON_CMD")
	if python == "" {
		python = "python3"
	}
	cmd := exec.CommandContext(srv.Context(), python, append([]string{"-u", dir}, r.GetArgs()...)...)
	cmd.Dir = r.GetPwd()
	cmd.Env = r.GetEnv()
	cmd.Stdout = streamWriter{srv, false}
	cmd.Stderr = streamWriter{srv, true}
	err := cmd.Run()
	if exit, ok := err.(*exec.ExitError); ok {
		return srv.Send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: int32(exit.ExitCode())}})
	}
	return err
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
	self, err := os.Executable()
	if err != nil {
		fail(err)
	}
	child := exec.Command(filepath.Join(filepath.Dir(self), realHost), os.Args[1:]...)
	child.Stderr = os.Stderr
	out, err := child.StdoutPipe()
	if err != nil {
		fail(err)
	}
	if err := child.Start(); err != nil {
		fail(err)
	}
	reader := bufio.NewReader(out)
	port, err := reader.ReadString('\n')
	if err != nil {
		fail(fmt.Errorf("the v3.68 language host did not report its port: %w", err))
	}
	go func() { _, _ = io.Copy(os.Stdout, reader) }()
	conn, err := grpc.NewClient("127.0.0.1:"+strings.TrimSpace(port), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		fail(err)
	}
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fail(err)
	}
	server := grpc.NewServer()
	pulumirpc.RegisterLanguageRuntimeServer(server, &shim{host: pulumirpc.NewLanguageRuntimeClient(conn), child: child})
	fmt.Printf("%d\n", listener.Addr().(*net.TCPAddr).Port)
	go func() {
		_ = child.Wait()
		server.Stop()
	}()
	if err := server.Serve(listener); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "pulumi-language-python shim: %v\n", err)
	os.Exit(1)
}
