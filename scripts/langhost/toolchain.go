package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/pulumi/pulumi/sdk/v3/python/toolchain"
	"google.golang.org/protobuf/types/known/structpb"
)

// pythonOptions reads the `virtualenv` and `toolchain` runtime options as upstream's host does. Without a
// `toolchain` option the package's Auto applies: uv or poetry when a uv.lock or poetry.lock is found upwards
// of the program, else pip. (`typechecker` is not read: the shim runs no type checker.)
func pythonOptions(info *pulumirpc.ProgramInfo) (toolchain.PythonOptions, error) {
	opts := toolchain.PythonOptions{Root: info.GetRootDirectory(), ProgramDir: info.GetProgramDirectory()}
	fields := info.GetOptions().GetFields()
	if value, ok := fields["virtualenv"]; ok {
		venv, ok := value.GetKind().(*structpb.Value_StringValue)
		if !ok {
			return opts, errors.New("virtualenv option must be a string")
		}
		opts.Virtualenv = venv.StringValue
	}
	if value, ok := fields["toolchain"]; ok {
		name, ok := value.GetKind().(*structpb.Value_StringValue)
		if !ok {
			return opts, errors.New("toolchain option must be a string")
		}
		switch name.StringValue {
		case "pip":
			opts.Toolchain = toolchain.Pip
		case "poetry":
			opts.Toolchain = toolchain.Poetry
		case "uv":
			opts.Toolchain = toolchain.Uv
		default:
			return opts, fmt.Errorf("unsupported toolchain option: %s", name.StringValue)
		}
	}
	return opts, nil
}

// resolved is a program's toolchain and the virtual environment it runs the program in.
type resolved struct {
	tc   toolchain.Toolchain
	venv string
}

// environment is the program's toolchain and the virtual environment the program runs in ("" for the
// ambient Python: pip without a `virtualenv` option), checked by the toolchain as upstream's Run does:
// upstream's message for a `virtualenv` that names none, and for uv and poetry a venv they have not
// created yet (`pulumi install` creates it). A resolution that succeeded is kept for the life of this
// process (one CLI command): poetry answers each ValidateVenv and VirtualEnvPath with a `poetry env info`
// (about 0.4 s), and the engine makes several calls per preview or update.
func (s *shim) environment(ctx context.Context, info *pulumirpc.ProgramInfo) (toolchain.Toolchain, string, error) {
	opts, err := pythonOptions(info)
	if err != nil {
		return nil, "", err
	}
	s.mu.Lock()
	known, ok := s.envs[opts]
	s.mu.Unlock()
	if ok {
		return known.tc, known.venv, nil
	}
	tc, err := toolchain.ResolveToolchain(opts)
	if err != nil {
		return nil, "", err
	}
	if err := tc.ValidateVenv(ctx); err != nil {
		return nil, "", err
	}
	venv, err := tc.VirtualEnvPath(ctx)
	if err != nil {
		return nil, "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.envs == nil {
		s.envs = map[toolchain.PythonOptions]resolved{}
	}
	s.envs[opts] = resolved{tc, venv}
	return tc, venv, nil
}

// About reports the program's Python as its toolchain finds it, as upstream's host does (the v3.68 host
// reports the ambient python3 even for a venv).
func (s *shim) About(ctx context.Context, r *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	tc, _, err := s.environment(ctx, r.GetInfo())
	if err != nil {
		return nil, err
	}
	info, err := tc.About(ctx)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.AboutResponse{Executable: info.PythonExecutable, Version: info.PythonVersion.String()}, nil
}

// GetProgramDependencies lists the program's packages through its toolchain (pip list, uv export, poetry's
// lock), as upstream's host does: the v3.68 host asks pip, which uv does not put in a venv.
func (s *shim) GetProgramDependencies(ctx context.Context, r *pulumirpc.GetProgramDependenciesRequest) (*pulumirpc.GetProgramDependenciesResponse, error) {
	tc, _, err := s.environment(ctx, r.GetInfo())
	if err != nil {
		return nil, err
	}
	packages, err := tc.ListPackages(ctx, r.GetTransitiveDependencies())
	if err != nil {
		return nil, fmt.Errorf("failed to get python dependencies: %w", err)
	}
	dependencies := make([]*pulumirpc.DependencyInfo, len(packages))
	for i, p := range packages {
		dependencies[i] = &pulumirpc.DependencyInfo{Name: p.Name, Version: p.Version}
	}
	return &pulumirpc.GetProgramDependenciesResponse{Dependencies: dependencies}, nil
}

// InstallDependencies is `pulumi install`: the toolchain installs the program's dependencies (pip into
// its `virtualenv`, `uv sync`, `poetry install`), its output streamed to the engine, as upstream's host
// has it.
func (s *shim) InstallDependencies(r *pulumirpc.InstallDependenciesRequest, srv pulumirpc.LanguageRuntime_InstallDependenciesServer) error {
	opts, err := pythonOptions(r.GetInfo())
	if err != nil {
		return err
	}
	// Upstream runs plugins (policy packs) only from a venv of their own, `venv` by default.
	if r.GetIsPlugin() && opts.Toolchain == toolchain.Pip && opts.Virtualenv == "" {
		opts.Virtualenv = "venv"
	}
	closer, stdout, stderr, err := rpcutil.MakeInstallDependenciesStreams(srv, r.GetIsTerminal())
	if err != nil {
		return err
	}
	defer closer.Close()
	fmt.Fprint(stdout, "Installing dependencies...\n\n")
	tc, err := toolchain.ResolveToolchain(opts)
	if err != nil {
		return err
	}
	if err := tc.InstallDependencies(srv.Context(), r.GetInfo().GetProgramDirectory(),
		r.GetUseLanguageVersionTools(), true, stdout, stderr); err != nil {
		return err
	}
	fmt.Fprint(stdout, "Finished installing dependencies\n\n")
	return closer.Close()
}
