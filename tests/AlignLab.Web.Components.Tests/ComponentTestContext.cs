using Bunit;
using MudBlazor.Services;

namespace AlignLab.Web.Components.Tests;

/// <summary>A bUnit context with MudBlazor's services, its JS calls answered loosely (none of them matter here), and
/// one popover provider for MudSelect and friends. Disposed asynchronously: some MudBlazor services only support that.</summary>
public abstract class ComponentTestContext : BunitContext, IAsyncLifetime
{
    private bool _providerRendered;

    protected ComponentTestContext()
    {
        Services.AddMudServices();
        JSInterop.Mode = JSRuntimeMode.Loose;
    }

    /// <summary>Renders MudBlazor's popover provider the first time a test needs it.</summary>
    protected void EnsurePopoverProvider()
    {
        if (_providerRendered) return;
        Render<MudBlazor.MudPopoverProvider>();
        _providerRendered = true;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();
}
