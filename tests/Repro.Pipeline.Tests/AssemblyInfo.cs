// The tests exercise Unix file modes and flock(1); Repro's CI and users run Linux.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
