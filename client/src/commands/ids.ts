// Command identifiers, shared by package.json (contributes.commands), the extension and the tests.
export const Commands = {
    restartServer: 'whamm.restartServer',
    showOutput: 'whamm.showOutput',
    instrumentAndRun: 'whamm.instrumentAndRun',
    selectApp: 'whamm.selectApp',
    newScript: 'whamm.newScript',
} as const;
