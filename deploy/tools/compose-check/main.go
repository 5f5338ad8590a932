// compose-check loads a Compose file the way Docker Compose does (compose-go: compose-spec JSON schema,
// interpolation, merge, normalisation) and checks what a Docker engine would only find at `up` time: every build
// context and Dockerfile, env_file and bind-mounted file exists. Used by scripts/validate-deploy.sh (no engine needed).
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: compose-check <docker-compose.yml>")
		os.Exit(2)
	}
	file, _ := filepath.Abs(os.Args[1])
	options, err := cli.NewProjectOptions([]string{file}, cli.WithName("yecai"), cli.WithWorkingDirectory(filepath.Dir(file)), cli.WithOsEnv)
	if err != nil {
		fail(err)
	}
	project, err := options.LoadProject(context.Background())
	if err != nil {
		fail(err)
	}
	var problems []string
	exists := func(service, what, path string) {
		if _, err := os.Stat(path); err != nil {
			problems = append(problems, fmt.Sprintf("service %s: %s %s does not exist", service, what, path))
		}
	}
	names := make([]string, 0, len(project.Services))
	for name, service := range project.Services {
		names = append(names, name)
		if service.Build != nil {
			exists(name, "build context", service.Build.Context)
			dockerfile := service.Build.Dockerfile
			if dockerfile == "" {
				dockerfile = "Dockerfile"
			}
			if !filepath.IsAbs(dockerfile) {
				dockerfile = filepath.Join(service.Build.Context, dockerfile)
			}
			exists(name, "Dockerfile", dockerfile)
		} else if service.Image == "" {
			problems = append(problems, fmt.Sprintf("service %s: neither image nor build", name))
		}
		for _, envFile := range service.EnvFiles {
			if envFile.Required {
				exists(name, "env_file", envFile.Path)
			}
		}
		for _, volume := range service.Volumes {
			if volume.Type == types.VolumeTypeBind {
				exists(name, "bind mount source", volume.Source)
			}
		}
		for dependency := range service.DependsOn {
			if _, ok := project.Services[dependency]; !ok {
				problems = append(problems, fmt.Sprintf("service %s: depends_on unknown service %s", name, dependency))
			}
		}
	}
	for name, config := range project.Configs {
		if config.File != "" {
			exists("(configs)", "config "+name, config.File)
		}
	}
	sort.Strings(names)
	if len(problems) > 0 {
		sort.Strings(problems)
		for _, problem := range problems {
			fmt.Fprintln(os.Stderr, problem)
		}
		os.Exit(1)
	}
	fmt.Printf("compose ok: %d services (%v)\n", len(names), names)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
