using System.Security.Cryptography;
using Repro.Integration.Tests.Calibration;

namespace Repro.Integration.Tests.Checkpoints;

/// <summary>`repro checkpoint`: the published safetensors is the input byte for byte, and the .pt is what PyTorch reads.</summary>
public class CheckpointCommandTests
{
    private static string Sha(string file) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file)));

    [Fact]
    public void PublishesAVerifiedCopyAndAPtThatPyTorchLoadsBitForBit()
    {
        using var tmp = ReproProcess.TempFolder();
        string input = RecalibrationFixture.Checkpoint(tmp.File("recalibrated.safetensors"));
        string outDir = tmp.File("published");
        var r = ReproProcess.Repro($"checkpoint --in {input} --out-dir {outDir}");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(Sha(input), Sha(Path.Combine(outDir, "model.safetensors")));
        Assert.Contains($"sha256 {Sha(Path.Combine(outDir, "model.pt"))}", r.StdOut);
        Assert.Contains("tensors read back bit-identical", r.StdOut);
        Assert.Equal(new[] { "model.pt", "model.safetensors" }, Directory.GetFiles(outDir).Select(Path.GetFileName).Order());

        // PyTorch (Debian's python3-torch) reads the .pt; every tensor equals the safetensors one, byte for byte.
        string script = tmp.File("check.py");
        File.WriteAllText(script, """
            import json, struct, sys, torch
            pt, st = sys.argv[1], sys.argv[2]
            state = torch.load(pt, map_location="cpu")
            raw = open(st, "rb").read()
            n = struct.unpack("<Q", raw[:8])[0]
            header = json.loads(raw[8:8 + n]); header.pop("__metadata__", None)
            assert set(state) == set(header), (set(state) ^ set(header))
            names = {"F32": torch.float32, "F64": torch.float64, "I64": torch.int64}
            for k, h in header.items():
                t = state[k]
                assert t.dtype == names[h["dtype"]] and list(t.shape) == h["shape"], k
                a, b = h["data_offsets"]
                assert t.contiguous().numpy().tobytes() == raw[8 + n + a:8 + n + b], k
            print("ok", len(state))
            """);
        var py = ReproProcess.Run("/usr/bin/python3", $"{script} {Path.Combine(outDir, "model.pt")} {input}");
        Assert.True(py.ExitCode == 0, py.ToString());
        Assert.StartsWith("ok ", py.StdOut);
    }

    [Fact]
    public void TheSameModelAlwaysGivesTheSamePtBytes()
    {
        using var tmp = ReproProcess.TempFolder();
        string input = RecalibrationFixture.Checkpoint(tmp.File("in.safetensors"));
        Assert.Equal(0, ReproProcess.Repro($"checkpoint --in {input} --out-dir {tmp.File("a")}").ExitCode);
        Thread.Sleep(1100); // zip timestamps have 2 s resolution; make sure the clock moved
        Assert.Equal(0, ReproProcess.Repro($"checkpoint --in {input} --out-dir {tmp.File("b")}").ExitCode);
        Assert.Equal(Sha(tmp.File("a/model.pt")), Sha(tmp.File("b/model.pt")));
    }

    [Fact]
    public void ANonCheckpointIsBadInputAndNothingIsPublished()
    {
        using var tmp = ReproProcess.TempFolder();
        File.WriteAllText(tmp.File("notes.safetensors"), "not a checkpoint");
        var r = ReproProcess.Repro($"checkpoint --in {tmp.File("notes.safetensors")} --out-dir {tmp.File("out")}");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("notes.safetensors", r.StdErr);
        Assert.False(Directory.Exists(tmp.File("out")) && Directory.EnumerateFileSystemEntries(tmp.File("out")).Any());

        var missing = ReproProcess.Repro($"checkpoint --out-dir {tmp.File("out")}");
        Assert.Equal(2, missing.ExitCode);
        Assert.Equal("repro: error: --in is required (the recalibrated .safetensors)", missing.StdErr.Trim());
    }
}
