using System.Text.Json;
using System.Text.Json.Serialization;

namespace CredentialService.Infrastructure;

/// <summary>
/// A JSON property that may be absent, present with null, or present with a value: what PATCH needs to tell
/// "keep" (absent) from "clear" (null).
/// </summary>
[JsonConverter(typeof(PatchFieldJsonConverterFactory))]
public readonly record struct PatchField<T>(bool IsSet, T Value)
{
    /// <summary>Says only whether the field was sent: the value may be a secret.</summary>
    public override string ToString() => IsSet ? "(set)" : "(absent)";
}

internal sealed class PatchFieldJsonConverterFactory : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) =>
        typeToConvert.IsGenericType && typeToConvert.GetGenericTypeDefinition() == typeof(PatchField<>);

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(
            typeof(PatchFieldJsonConverter<>).MakeGenericType(typeToConvert.GetGenericArguments()[0]))!;
}

internal sealed class PatchFieldJsonConverter<T> : JsonConverter<PatchField<T>>
{
    // Called only when the property is present, so a null token still yields IsSet = true.
    public override bool HandleNull => true;

    public override PatchField<T> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        new PatchField<T>(true, reader.TokenType == JsonTokenType.Null
            ? default!
            : (T)JsonSerializer.Deserialize(ref reader, options.GetTypeInfo(typeof(T)))!);

    public override void Write(Utf8JsonWriter writer, PatchField<T> value, JsonSerializerOptions options) =>
        JsonSerializer.Serialize(writer, value.Value, options.GetTypeInfo(typeof(T)));
}
