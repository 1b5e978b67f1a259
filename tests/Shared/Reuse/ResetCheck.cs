using System.Reflection;
using System.Runtime.CompilerServices;

namespace Capture.Tests.Shared;

/// <summary>
/// Whether a reused object's reset leaves nothing of its last use: every instance field (and every
/// field of its structs) is first set to a value a new object does not have, and after the reset
/// each must equal a new object's. A field added later and not reset fails the check.
/// </summary>
public static class ResetCheck
{
    private const BindingFlags InstanceFields = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;

    /// <summary>Fills <paramref name="used"/>, runs <paramref name="reset"/> on it and compares it, field by field, with <paramref name="fresh"/>.</summary>
    public static void AssertResetLikeNew<T>(T used, Action<T> reset, T fresh)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(used);
        ArgumentNullException.ThrowIfNull(reset);
        FieldInfo[] fields = typeof(T).GetFields(InstanceFields);
        Assert.NotEmpty(fields);
        foreach (FieldInfo field in fields)
        {
            field.SetValue(used, Other(field.FieldType, field.GetValue(fresh)));
            Assert.False(Equals(field.GetValue(fresh), field.GetValue(used)), $"{typeof(T).Name}.{field.Name} could not be given a used value");
        }

        reset(used);
        foreach (FieldInfo field in fields)
        {
            Assert.True(Equals(field.GetValue(fresh), field.GetValue(used)), $"{typeof(T).Name}.{field.Name} kept its last use's value after the reset");
        }
    }

    /// <summary>A value of <paramref name="type"/> unlike <paramref name="like"/> (for a struct, unlike it in every field).</summary>
    private static object Other(Type type, object? like)
    {
        if (type == typeof(bool))
        {
            return !(bool)like!;
        }

        if (type.IsEnum)
        {
            return Enum.ToObject(type, Convert.ToInt64(like, System.Globalization.CultureInfo.InvariantCulture) + 1);
        }

        if (type.IsPrimitive)
        {
            return Convert.ChangeType(unchecked(Convert.ToInt64(like, System.Globalization.CultureInfo.InvariantCulture) + 1), type, System.Globalization.CultureInfo.InvariantCulture);
        }

        if (type.IsValueType)
        {
            object copy = like!;
            foreach (FieldInfo field in type.GetFields(InstanceFields))
            {
                field.SetValue(copy, Other(field.FieldType, field.GetValue(like)));
            }

            return copy;
        }

        if (type == typeof(string))
        {
            return like is "used" ? "used again" : "used";
        }

        return type.IsArray ? Array.CreateInstance(type.GetElementType()!, 1) : RuntimeHelpers.GetUninitializedObject(type);
    }
}
