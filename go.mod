module chorus

go 1.26

require (
	fyne.io/fyne/v2 v2.8.1
	github.com/ebitengine/oto/v3 v3.5.1
	github.com/zalando/go-keyring v0.2.8
)
