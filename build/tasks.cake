#load "prerequisites.cake"

Task("Prerequisites")
    .Description("Installs the Debian packages the tests and experiments need (as root), or says how.")
    .Does<BuildParameters>(p => Prerequisites.Ensure(Context, p));

Task("Restore")
    .Does<BuildParameters>(p => DotNetRestore("Repro.sln"));

Task("Build")
    .IsDependentOn("Restore")
    .Does<BuildParameters>(p => DotNetBuild("Repro.sln", new DotNetBuildSettings
    {
        Configuration = p.Configuration,
        NoRestore = true,
    }));

Task("Test")
    .Description("Builds and runs every test project; TRX results go to artifacts/test-results.")
    .IsDependentOn("Prerequisites")
    .IsDependentOn("Build")
    .Does<BuildParameters>(p =>
    {
        CleanDirectory(p.TestResults);
        DotNetTest("Repro.sln", new DotNetTestSettings
        {
            Configuration = p.Configuration,
            NoBuild = true,
            ResultsDirectory = p.TestResults,
            Loggers = new[] { "trx", "console;verbosity=normal" },
        });
    });

Task("Default")
    .IsDependentOn("Test");
