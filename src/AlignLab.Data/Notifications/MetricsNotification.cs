using System.Text.Json;
using System.Text.Json.Serialization;
using AlignLab.Core.Metrics;

namespace AlignLab.Data.Notifications;

/// <summary>Compact wire form of newly stored metric points of one run: points as [step, name, value,
/// unix milliseconds]. Small enough to ride on NOTIFY; big batches are split into several.</summary>
public sealed record MetricsNotification(
    [property: JsonPropertyName("r")] Guid RunId,
    [property: JsonPropertyName("p")] IReadOnlyList<MetricPoint> Points)
{
    internal static readonly JsonSerializerOptions Json = new()
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new CompactPointConverter() },
    };

    public static MetricsNotification Parse(string payload) =>
        JsonSerializer.Deserialize<MetricsNotification>(payload, Json)
        ?? throw new JsonException("empty metrics notification");

    /// <summary>Splits points into payloads each under <see cref="Channels.MaxPayloadBytes"/>.</summary>
    public static IEnumerable<string> Payloads(Guid runId, IReadOnlyList<MetricPoint> points)
    {
        var chunk = new List<MetricPoint>();
        int size = 60;
        foreach (var point in points)
        {
            var pointSize = JsonSerializer.Serialize(point, Json).Length + 1;
            if (chunk.Count > 0 && size + pointSize > Channels.MaxPayloadBytes)
            {
                yield return JsonSerializer.Serialize(new MetricsNotification(runId, chunk), Json);
                chunk = [];
                size = 60;
            }
            chunk.Add(point);
            size += pointSize;
        }
        if (chunk.Count > 0) yield return JsonSerializer.Serialize(new MetricsNotification(runId, chunk), Json);
    }

    private sealed class CompactPointConverter : JsonConverter<MetricPoint>
    {
        public override MetricPoint Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.StartArray) throw new JsonException("metric point must be an array");
            reader.Read(); var step = reader.GetInt64();
            reader.Read(); var name = reader.GetString()!;
            reader.Read(); var value = reader.TokenType == JsonTokenType.String
                ? double.Parse(reader.GetString()!, System.Globalization.CultureInfo.InvariantCulture) : reader.GetDouble();
            reader.Read(); var time = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64());
            reader.Read();
            return new MetricPoint(step, name, value, time);
        }

        public override void Write(Utf8JsonWriter writer, MetricPoint point, JsonSerializerOptions options)
        {
            writer.WriteStartArray();
            writer.WriteNumberValue(point.Step);
            writer.WriteStringValue(point.Name);
            if (double.IsFinite(point.Value)) writer.WriteNumberValue(point.Value);
            else writer.WriteStringValue(point.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
            writer.WriteNumberValue(point.Time.ToUnixTimeMilliseconds());
            writer.WriteEndArray();
        }
    }
}
