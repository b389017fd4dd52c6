using System.Text.Json.Nodes;

namespace Gateway.Host.ConfigApply;

/// <summary>
/// RFC 7396 JSON Merge Patch, exactly as its section 2 pseudo-code: an object patch merges member
/// by member, <c>null</c> deletes a member, anything else (arrays included) replaces the target
/// whole. The inputs are not modified.
/// </summary>
public static class JsonMergePatch
{
    public static JsonNode? Apply(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch?.DeepClone();
        }
        // A non-object target is replaced by an empty object before merging (RFC 7396, section 2).
        var result = target is JsonObject targetObject ? targetObject.DeepClone().AsObject() : new JsonObject();
        foreach (var (name, value) in patchObject)
        {
            if (value is null)
            {
                result.Remove(name);
            }
            else
            {
                var merged = Apply(result[name], value);
                result[name] = merged;
            }
        }
        return result;
    }
}
