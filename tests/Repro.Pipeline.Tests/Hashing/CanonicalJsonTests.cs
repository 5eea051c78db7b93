using System.Globalization;
using Newtonsoft.Json.Linq;
using Repro.Pipeline.Experiments;
using Repro.Pipeline.Hashing;

namespace Repro.Pipeline.Tests.Hashing;

public class CanonicalJsonTests
{
    [Fact]
    public void SortsKeysOrdinallyAndDropsWhitespace()
    {
        var doc = JObject.Parse("{ \"b\": 1, \"a\": { \"z\": true, \"B\": null }, \"A\": [3, 1, 2] }");
        Assert.Equal("{\"A\":[3,1,2],\"a\":{\"B\":null,\"z\":true},\"b\":1}", CanonicalJson.Serialize(doc));
    }

    [Theory]
    [InlineData("1", "1")]
    [InlineData("1.0", "1")]
    [InlineData("1e0", "1")]
    [InlineData("0.1", "0.1")]
    [InlineData("0.0005", "0.0005")]
    [InlineData("1e-7", "1E-07")]
    [InlineData("0.30000000000000004", "0.30000000000000004")]
    [InlineData("-0.0", "0")]
    [InlineData("123456789012", "123456789012")]
    public void WritesNumbersByValue(string json, string canonical)
        => Assert.Equal(canonical, CanonicalJson.Serialize(JToken.Parse(json)));

    [Fact]
    public void FloatsRoundTripExactly()
    {
        foreach (double d in new[] { 0.1, 1.0 / 3, Math.PI, 1e-300, 123.456e10, 0.999 })
            Assert.Equal(d, double.Parse(CanonicalJson.FormatDouble(d), CultureInfo.InvariantCulture));
    }

    [Fact]
    public void SameBytesUnderACommaDecimalCulture()
    {
        var doc = JObject.Parse("{\"lr\": 0.1, \"wd\": 5e-4, \"n\": 1000}");
        string invariant = CanonicalJson.Serialize(doc);
        var saved = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = new CultureInfo("de-DE");
            Assert.Equal(invariant, CanonicalJson.Serialize(doc));
            Assert.Equal("{\"lr\":0.1,\"n\":1000,\"wd\":0.0005}", invariant);
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }

    [Fact]
    public void DateLikeStringsStayStringsInExperiments()
    {
        var e = ExperimentDefinition.Parse(TempExperiment.TinyExperimentJson.Replace("\"tiny\"", "\"2024-01-02T03:04:05Z\""), "/x/experiment.json");
        Assert.Equal("2024-01-02T03:04:05Z", e.Name);
        Assert.Equal(JTokenType.String, e.Root["name"]!.Type);
    }

    [Fact]
    public void EscapesStringsAsJson()
        => Assert.Equal("{\"k\":\"a\\\"b\\\\c\\n\"}", CanonicalJson.Serialize(new JObject { ["k"] = "a\"b\\c\n" }));

    [Fact]
    public void KnownDocumentHasAKnownHash()
    {
        // sha256 of the UTF-8 bytes {"a":[1,0.5],"b":"x"}, computed independently (python hashlib).
        var doc = JObject.Parse("{\"b\":\"x\", \"a\":[1.0, 5e-1]}");
        Assert.Equal("{\"a\":[1,0.5],\"b\":\"x\"}", CanonicalJson.Serialize(doc));
        Assert.Equal("360f7f88950464b53cf7f0610d13a176dca281615fdf307d4a9cd05d48e15dc4", ContentHash.OfText(CanonicalJson.Serialize(doc)));
    }
}
