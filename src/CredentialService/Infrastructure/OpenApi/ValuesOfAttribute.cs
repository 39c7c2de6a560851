namespace CredentialService.Infrastructure.OpenApi;

/// <summary>
/// The property (or each item of a list) holds one of the public string constants of <paramref name="constants"/>,
/// e.g. <c>TestOutcome</c>: the OpenAPI document lists them as an enum, so a constant added there is documented too.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class ValuesOfAttribute(Type constants) : Attribute
{
    public IReadOnlyList<string> Values { get; } = constants
        .GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
        .Where(f => f.IsLiteral && f.FieldType == typeof(string))
        .Select(f => (string)f.GetRawConstantValue()!)
        .ToList();
}
