// The aimscheck extension: starts `aimscheck lsp` (the language server of the aimscheck
// package, `pip install 'aimscheck[lsp]'`) for rule files and their tests.
"use strict";

const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const settings = vscode.workspace.getConfiguration("aimscheck");
  const command = settings.get("lsp.command", "aimscheck");
  const documentSelector = [{ scheme: "file", language: "aims" }];
  if (settings.get("lsp.testFiles", true)) {
    documentSelector.push({ scheme: "file", pattern: "**/*.tests.yaml" });
  }
  client = new LanguageClient(
    "aimscheck",
    "aimscheck",
    { command, args: ["lsp"] },
    { documentSelector }
  );
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration("aimscheck.lsp")) {
        vscode.window.showInformationMessage(
          "aimscheck: reload the window to use the new language server settings."
        );
      }
    })
  );
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
