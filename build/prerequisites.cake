// System packages the experiments and tests need. Installed when running as root; otherwise the
// exact command is printed, so nothing is installed behind the user's back.
public static class Prerequisites
{
    public static readonly (string Package, string Probe)[] Required =
    {
        ("dataset-fashion-mnist", FashionMnistProbe),
        ("openmpi-bin", "/usr/bin/mpirun"),
        ("libopenmpi-dev", "/usr/lib/x86_64-linux-gnu/libmpi.so"),
        // Only for cross-checks against an independent implementation (PyTorch), never at run time.
        ("python3-torch", "/usr/lib/python3/dist-packages/torch/__init__.py"),
    };

    public const string FashionMnistProbe = "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz";

    /// <summary>All of them (the tests), or the named ones (an experiment's dataset, MPI for --ranks).</summary>
    public static void Ensure(ICakeContext context, BuildParameters p, params string[] only)
    {
        var missing = Required
            .Where(r => only.Length == 0 || only.Contains(r.Package))
            .Where(r => !System.IO.File.Exists(r.Probe))
            .Select(r => r.Package)
            .ToArray();
        if (missing.Length == 0)
            return;
        string packages = string.Join(" ", missing);
        if (!p.IsRoot)
            throw new CakeException($"Missing Debian package{(missing.Length > 1 ? "s" : "")} {packages}; install with: sudo apt-get update && sudo apt-get install -y {packages}");
        context.Information($"Installing {string.Join(", ", missing)} (running as root)...");
        Run(context, "apt-get", "update -q");
        Run(context, "apt-get", "install -y -q " + packages);
    }

    private static void Run(ICakeContext context, string tool, string args)
    {
        int code = context.StartProcess(tool, new ProcessSettings { Arguments = args });
        if (code != 0)
            throw new CakeException($"{tool} {args} failed with exit code {code}");
    }
}
