// Command codegen serves `pulumi package gen-sdk` for the SDKs of the ztrisk component provider: the module
// proxy serves no language host of Node.js, Go or .NET for the pinned CLI, so this binary, installed as
// pulumi-language-nodejs and pulumi-language-go (and pulumi-language-dotnet), answers the one call gen-sdk
// makes, GeneratePackage, with the code generators the pinned CLI's own hosts call (pkg/v3 codegen at the
// CLI's version; C# from the last pkg/v3 that carried it, run as ztrisk-codegen-dotnet). It runs no program:
// every other call is unimplemented, so it lives in a directory of its own, never beside real hosts.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	gocodegen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	nodecodegen "github.com/pulumi/pulumi/pkg/v3/codegen/nodejs"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
)

// version is stamped by scripts/ensure-codegen (the pinned CLI's version).
var version string

type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	language string // nodejs, go or dotnet: from the name this binary was started as
}

func (h *host) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version}, nil
}

func (h *host) GeneratePackage(
	ctx context.Context, req *pulumirpc.GeneratePackageRequest,
) (resp *pulumirpc.GeneratePackageResponse, err error) {
	defer func() {
		// A generator panics on some schemas (a dangling reference): answer with the error, not a dropped call.
		if p := recover(); p != nil {
			resp, err = nil, fmt.Errorf("the %s generator failed: %v\n%s", h.language, p, debug.Stack())
		}
	}()
	if h.language == "dotnet" {
		return &pulumirpc.GeneratePackageResponse{}, dotnet(ctx, req)
	}
	loader, err := schema.NewLoaderClient(req.LoaderTarget)
	if err != nil {
		return nil, err
	}
	defer loader.Close()
	var spec schema.PackageSpec
	if err := json.Unmarshal([]byte(req.Schema), &spec); err != nil {
		return nil, err
	}
	cached := schema.NewCachedLoader(loader)
	pkg, diags, err := schema.BindSpec(spec, cached, schema.ValidationOptions{AllowDanglingReferences: true})
	if err != nil {
		return nil, err
	}
	if diags.HasErrors() {
		return &pulumirpc.GeneratePackageResponse{Diagnostics: plugin.HclDiagnosticsToRPCDiagnostics(diags)}, nil
	}
	var files map[string][]byte
	if h.language == "go" {
		files, err = gocodegen.GeneratePackage("pulumi-language-go", pkg, req.LocalDependencies)
	} else {
		files, err = nodecodegen.GeneratePackage(
			"pulumi-language-nodejs", pkg, req.ExtraFiles, req.LocalDependencies, req.Local, cached)
	}
	if err != nil {
		return nil, err
	}
	return &pulumirpc.GeneratePackageResponse{Diagnostics: plugin.HclDiagnosticsToRPCDiagnostics(diags)},
		write(req.Directory, files)
}

// dotnet runs the C# generator (its own module: a pkg/v3 of another version) on the schema.
func dotnet(ctx context.Context, req *pulumirpc.GeneratePackageRequest) error {
	if req.Local || len(req.ExtraFiles) > 0 || len(req.LocalDependencies) > 0 {
		return errors.New("the C# generator here takes a schema alone: leave out --local and local dependencies")
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, filepath.Join(filepath.Dir(self), "ztrisk-codegen-dotnet"), req.Directory)
	cmd.Stdin = strings.NewReader(req.Schema)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("the C# generator failed: %w: %s", err, out)
	}
	return nil
}

func write(dir string, files map[string][]byte) error {
	for name, data := range files {
		out := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(out, data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

func main() {
	name := strings.TrimPrefix(filepath.Base(os.Args[0]), "pulumi-language-")
	if name != "nodejs" && name != "go" && name != "dotnet" {
		fail(errors.New("start this as pulumi-language-nodejs, pulumi-language-go or pulumi-language-dotnet"))
	}
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fail(err)
	}
	server := grpc.NewServer()
	pulumirpc.RegisterLanguageRuntimeServer(server, &host{language: name})
	// The engine's address comes last: stop once the engine is gone (a CLI killed never stops its plugins).
	if args := os.Args[1:]; len(args) > 0 && !strings.HasPrefix(args[len(args)-1], "-") {
		ctx, cancel := context.WithCancel(context.Background())
		if err := rpcutil.Healthcheck(ctx, args[len(args)-1], 5*time.Minute, cancel); err == nil {
			go func() { <-ctx.Done(); server.Stop() }()
		}
	}
	fmt.Printf("%d\n", listener.Addr().(*net.TCPAddr).Port)
	if err := server.Serve(listener); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "%s (ztrisk codegen): %v\n", filepath.Base(os.Args[0]), err)
	os.Exit(1)
}
