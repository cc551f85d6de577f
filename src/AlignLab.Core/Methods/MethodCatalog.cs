namespace AlignLab.Core.Methods;

/// <summary>The methods this process knows, by name.</summary>
public sealed class MethodCatalog
{
    private readonly Dictionary<string, ITrainingMethod> _methods;

    public MethodCatalog(IEnumerable<ITrainingMethod> methods)
    {
        _methods = new Dictionary<string, ITrainingMethod>(StringComparer.Ordinal);
        foreach (var method in methods)
            if (!_methods.TryAdd(method.Descriptor.Name, method))
                throw new InvalidOperationException($"two methods are named '{method.Descriptor.Name}'");
    }

    public IReadOnlyCollection<MethodDescriptor> Descriptors =>
        _methods.Values.Select(m => m.Descriptor).OrderBy(d => d.Name, StringComparer.Ordinal).ToList();

    public ITrainingMethod? Find(string name) => _methods.GetValueOrDefault(name);
}
